package dev.winnow.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.generate.BatchSequence;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.speculative.SpeculateSpec;
import dev.winnow.kv.policy.KvPolicy;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import dev.winnow.template.ChatTemplate;
import dev.winnow.template.TemplateException;
import dev.winnow.tools.ToolCallFormat;
import dev.winnow.tools.ToolPrompt;
import dev.winnow.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the JSON of a chat or completion request into a {@link GenerationRequest}, checking
 * every field it uses; a bad field is an {@link ApiException} naming it. Tools and
 * {@code response_format} are read by {@link StructuredOutput}, messages by {@link ChatMessages}.
 * Fields the server does not support ({@code n > 1}) are refused with a 400, never ignored
 * silently.
 */
final class RequestParser {
    static final int MAX_STOP_STRINGS = 16;
    static final int MAX_TOP_LOGPROBS = 20;
    static final int MAX_LOGIT_BIAS = 1024;

    private final Model model;
    private final ChatTemplate template;
    private final ServerConfig config;
    private final ToolCallFormat toolFormat;

    RequestParser(Model model, ChatTemplate template, ServerConfig config) {
        this.model = model;
        this.template = template;
        this.config = config;
        this.toolFormat = ToolCallFormat.forTemplate(template.source());
    }

    GenerationRequest chat(JsonNode body) {
        refuseUnsupported(body);
        StructuredOutput out = StructuredOutput.parse(body, true);
        List<Map<String, Object>> messages = ChatMessages.parse(body.get("messages"));
        String text;
        try {
            text = ToolPrompt.render(template, messages, out.tools(), true);
        } catch (TemplateException e) {
            throw ApiException.invalid("messages", "the model's chat template cannot render these messages: " + e.getMessage());
        }
        Tokenizer tok = model.tokenizer();
        boolean bos = tok.addBosByDefault() && template.bosToken().map(b -> b.isEmpty() || !text.startsWith(b)).orElse(true);
        int[] prompt = tok.encode(text, bos, true);
        int logprobs = -1;
        if (bool(body, "logprobs", false)) {
            logprobs = integer(body, "top_logprobs", 0, 0, MAX_TOP_LOGPROBS);
        } else if (present(body, "top_logprobs")) {
            throw ApiException.invalid("top_logprobs", "top_logprobs needs \"logprobs\": true");
        }
        return request(true, body, prompt, "messages", logprobs, out);
    }

    GenerationRequest completion(JsonNode body) {
        refuseUnsupported(body);
        if (present(body, "suffix")) throw ApiException.unsupported("suffix", "suffix (insertion) is not supported");
        if (bool(body, "echo", false)) throw ApiException.unsupported("echo", "echo is not supported");
        int[] prompt = completionPrompt(body.get("prompt"));
        int logprobs = present(body, "logprobs") ? integer(body, "logprobs", 0, 0, 5) : -1;
        return request(false, body, prompt, "prompt", logprobs, StructuredOutput.parse(body, false));
    }

    private GenerationRequest request(boolean chat, JsonNode body, int[] prompt, String promptField, int logprobs,
                                      StructuredOutput out) {
        if (prompt.length == 0) throw ApiException.invalid(promptField, promptField + " is empty");
        KvSpec kv = kvSpec(body);
        KvPolicy probe = newPolicy(kv);
        if (prompt.length > config.contextLength() && !probe.unboundedContext()) {
            throw new ApiException(400, "invalid_request_error", promptField, "context_length_exceeded",
                    "the prompt is " + prompt.length + " tokens, more than the context length of "
                    + config.contextLength() + " tokens (the server does not truncate; shorten the "
                    + promptField + ", or use a KV policy that bounds the cache, e.g. \"kv\": \"streaming\")", 0);
        }
        boolean stream = bool(body, "stream", false);
        boolean includeUsage = false;
        JsonNode so = body.get("stream_options");
        if (so != null && !so.isNull()) {
            if (!so.isObject()) throw ApiException.invalid("stream_options", "stream_options must be an object");
            if (!stream) throw ApiException.invalid("stream_options", "stream_options is only allowed with \"stream\": true");
            includeUsage = bool(so, "include_usage", false, "stream_options.include_usage");
        }
        return new GenerationRequest(chat, prompt, params(body).toBuilder().grammar(out.grammar(toolFormat)).build(), stream,
                includeUsage, logprobs, kv, out.parser(toolFormat), speculate(body, kv));
    }

    /** The policy for a sequence of this spec (a fresh one: policies hold per-sequence state). */
    static KvPolicy newPolicy(KvSpec kv) {
        try {
            return kv.newPolicy();
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("kv", "kv: " + e.getMessage());
        }
    }

    /**
     * The extension field {@code speculate}: a drafter spec as {@code winnow generate --speculate}
     * takes ({@code "lookup:n=3,k=8"}), {@code "none"} for plain decoding; absent or null: the
     * server's default. A spec the request's KV policy cannot roll back is refused with the reason.
     */
    private SpeculateSpec speculate(JsonNode body, KvSpec kv) {
        JsonNode field = body.get("speculate");
        SpeculateSpec spec;
        if (field == null || field.isNull()) {
            spec = config.speculate();
        } else if (!field.isTextual()) {
            throw ApiException.invalid("speculate", "speculate must be a string (a drafter spec, e.g. \"lookup:n=3,k=8\", or \"none\")");
        } else if (field.asText().trim().equalsIgnoreCase("none")) {
            return null;
        } else {
            try {
                spec = SpeculateSpec.parse(field.asText());
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("speculate", "speculate: " + e.getMessage());
            }
        }
        if (spec == null) return null;
        String why = new BatchSequence(model, 1, newPolicy(kv)).speculationRefusal();
        String drafterWhy = why == null ? spec.newDrafter(model).refusal() : null;
        if (drafterWhy != null) throw ApiException.invalid("speculate", "speculate: " + drafterWhy);
        if (why != null) {
            throw ApiException.invalid("speculate", "speculate: cannot speculate with " + spec.name() + ": " + why
                    + (field == null || field.isNull() ? " (the server's default --speculate; send \"speculate\": \"none\")" : ""));
        }
        return spec;
    }

    private KvSpec kvSpec(JsonNode body) {
        JsonNode kv = body.get("kv");
        if (kv == null || kv.isNull()) return config.kv();
        if (!kv.isTextual()) throw ApiException.invalid("kv", "kv must be a string (a KV spec, e.g. \"snapkv:budget=256\")");
        if (!config.allowKvOverride()) {
            throw new ApiException(403, "permission_error", "kv", "kv_override_disabled",
                    "this server does not allow requests to choose the KV spec (it uses '" + config.kv() + "')", 0);
        }
        try {
            KvSpec spec = KvSpec.parse(kv.asText());
            newPolicy(spec); // unknown names and parameters fail here
            return spec;
        } catch (ApiException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("kv", "kv: " + e.getMessage());
        }
    }

    private GenerationParams params(JsonNode body) {
        GenerationParams.Builder b = GenerationParams.builder();
        int max = -1;
        if (present(body, "max_completion_tokens")) max = integer(body, "max_completion_tokens", -1, 0, Integer.MAX_VALUE);
        else if (present(body, "max_tokens")) max = integer(body, "max_tokens", -1, 0, Integer.MAX_VALUE);
        b.maxTokens(max);
        b.temperature((float) number(body, "temperature", GenerationParams.defaults().temperature(), 0, 2));
        b.topP((float) number(body, "top_p", 1.0, Double.MIN_VALUE, 1));
        b.topK(integer(body, "top_k", GenerationParams.defaults().topK(), 0, Integer.MAX_VALUE));
        b.minP((float) number(body, "min_p", GenerationParams.defaults().minP(), 0, 1));
        b.repeatPenalty((float) number(body, "repeat_penalty", 1.0, Double.MIN_VALUE, 10));
        b.repeatLastN(integer(body, "repeat_last_n", GenerationParams.defaults().repeatLastN(), 0, 1 << 20));
        b.presencePenalty((float) number(body, "presence_penalty", 0, -2, 2));
        b.frequencyPenalty((float) number(body, "frequency_penalty", 0, -2, 2));
        b.logitBias(logitBias(body.get("logit_bias")));
        if (present(body, "seed")) {
            JsonNode s = body.get("seed");
            if (!s.canConvertToLong() || !s.isIntegralNumber()) throw ApiException.invalid("seed", "seed must be an integer");
            b.seed(s.asLong());
        }
        b.stop(stop(body.get("stop")));
        return b.build();
    }

    /** OpenAI's logit_bias: an object from token id (as a string) to a bias in [-100, 100]. */
    private Map<Integer, Float> logitBias(JsonNode bias) {
        if (bias == null || bias.isNull()) return Map.of();
        if (!bias.isObject()) throw ApiException.invalid("logit_bias", "logit_bias must be an object from token id to bias");
        if (bias.size() > MAX_LOGIT_BIAS) {
            throw ApiException.invalid("logit_bias", "logit_bias has " + bias.size() + " entries; at most " + MAX_LOGIT_BIAS);
        }
        int vocab = model.tokenizer().vocabSize();
        Map<Integer, Float> out = new HashMap<>();
        for (var it = bias.fields(); it.hasNext(); ) {
            var e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException x) {
                throw ApiException.invalid("logit_bias", "logit_bias key '" + clip(e.getKey()) + "' is not a token id");
            }
            if (id < 0 || id >= vocab) {
                throw ApiException.invalid("logit_bias", "logit_bias token id " + id + " is outside the vocabulary (0.." + (vocab - 1) + ")");
            }
            JsonNode v = e.getValue();
            if (!v.isNumber() || !(v.asDouble() >= -100 && v.asDouble() <= 100)) {
                throw ApiException.invalid("logit_bias", "logit_bias for token " + id + " must be a number in [-100, 100], got " + clip(v.toString()));
            }
            out.put(id, (float) v.asDouble());
        }
        return out;
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static List<String> stop(JsonNode stop) {
        if (stop == null || stop.isNull()) return List.of();
        List<String> out = new ArrayList<>();
        if (stop.isTextual()) {
            out.add(stop.asText());
        } else if (stop.isArray()) {
            if (stop.size() > MAX_STOP_STRINGS) {
                throw ApiException.invalid("stop", "stop has " + stop.size() + " strings; at most " + MAX_STOP_STRINGS);
            }
            for (JsonNode s : stop) {
                if (!s.isTextual()) throw ApiException.invalid("stop", "stop must be a string or an array of strings");
                out.add(s.asText());
            }
        } else {
            throw ApiException.invalid("stop", "stop must be a string or an array of strings");
        }
        for (String s : out) if (s.isEmpty()) throw ApiException.invalid("stop", "stop strings must not be empty");
        return out;
    }

    private static void refuseUnsupported(JsonNode body) {
        if (present(body, "n")) {
            JsonNode n = body.get("n");
            if (!n.isIntegralNumber() || n.asInt() != 1) {
                throw ApiException.unsupported("n", "n = " + n + " is not supported: the server returns one choice per request (n = 1)");
            }
        }
        if (present(body, "best_of") && body.get("best_of").asInt() != 1) {
            throw ApiException.unsupported("best_of", "best_of is not supported (only 1)");
        }
        JsonNode user = body.get("user");
        if (user != null && !user.isNull() && !user.isTextual()) throw ApiException.invalid("user", "user must be a string");
    }

    /** A string, an array of one string, or an array of token ids. */
    private int[] completionPrompt(JsonNode p) {
        if (p == null || p.isNull()) throw ApiException.invalid("prompt", "prompt is required");
        Tokenizer tok = model.tokenizer();
        if (p.isTextual()) return tok.encode(p.asText(), tok.addBosByDefault(), false);
        if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) return tok.encode(p.get(0).asText(), tok.addBosByDefault(), false);
        if (p.isArray() && !p.isEmpty() && p.get(0).isIntegralNumber()) {
            int[] ids = new int[p.size()];
            int vocab = tok.vocabSize();
            for (int i = 0; i < ids.length; i++) {
                JsonNode t = p.get(i);
                if (!t.isIntegralNumber() || t.asLong() < 0 || t.asLong() >= vocab) {
                    throw ApiException.invalid("prompt", "prompt[" + i + "] = " + t + " is not a token id in [0, " + vocab + ")");
                }
                ids[i] = t.asInt();
            }
            return ids;
        }
        if (p.isArray() && p.size() > 1) {
            throw ApiException.unsupported("prompt", "several prompts in one request are not supported; send one request per prompt");
        }
        throw ApiException.invalid("prompt", "prompt must be a string, an array of one string, or an array of token ids");
    }

    static boolean present(JsonNode body, String field) {
        JsonNode n = body.get(field);
        return n != null && !n.isNull();
    }

    private static boolean bool(JsonNode body, String field, boolean dflt) {
        return bool(body, field, dflt, field);
    }

    private static boolean bool(JsonNode body, String field, boolean dflt, String name) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return dflt;
        if (!n.isBoolean()) throw ApiException.invalid(name, name + " must be true or false, got " + n);
        return n.asBoolean();
    }

    private static int integer(JsonNode body, String field, int dflt, int min, int max) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return dflt;
        if (!n.isIntegralNumber() || !n.canConvertToInt()) throw ApiException.invalid(field, field + " must be an integer, got " + n);
        int v = n.asInt();
        if (v < min || v > max) {
            throw ApiException.invalid(field, field + " must be " + (max == Integer.MAX_VALUE ? ">= " + min
                    : "in [" + min + ", " + max + "]") + ", got " + v);
        }
        return v;
    }

    private static double number(JsonNode body, String field, double dflt, double min, double max) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return dflt;
        if (!n.isNumber()) throw ApiException.invalid(field, field + " must be a number, got " + n);
        double v = n.asDouble();
        if (!(v >= min && v <= max)) {
            throw ApiException.invalid(field, field + " must be in [" + (min == Double.MIN_VALUE ? "> 0" : min) + ", " + max + "], got " + v);
        }
        return v;
    }
}
