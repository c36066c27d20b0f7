package dev.winnow.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.generate.StopReason;
import dev.winnow.kv.KvStats;
import dev.winnow.model.ModelConfig;
import dev.winnow.tools.ToolCall;
import dev.winnow.tools.ToolCallParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * The JSON of one response in the OpenAI shapes: {@code chat.completion} and its
 * {@code chat.completion.chunk}s, {@code text_completion} (whole and streamed). Every object
 * and chunk carries the same {@code id}, {@code object}, {@code created} (epoch seconds) and
 * {@code model}.
 */
final class Responses {
    private final boolean chat;
    private final String id;
    private final long created;
    private final String model;
    private final ModelConfig config;

    Responses(boolean chat, String model, ModelConfig config) {
        this.chat = chat;
        this.id = (chat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        this.created = System.currentTimeMillis() / 1000;
        this.model = model;
        this.config = config;
    }

    String id() {
        return id;
    }

    private ObjectNode head(boolean chunk) {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("object", chat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion");
        o.put("created", created);
        o.put("model", model);
        return o;
    }

    static String finishReason(StopReason r) {
        return switch (r) {
            case MAX_TOKENS, CONTEXT_FULL -> "length";
            default -> "stop";
        };
    }

    /** The finish reason of a reply that made tool calls: {@code tool_calls} unless it was cut. */
    static String finishReason(StopReason r, boolean calls) {
        String reason = finishReason(r);
        return calls && reason.equals("stop") ? "tool_calls" : reason;
    }

    /** The whole answer of a non-streaming request. */
    ObjectNode complete(Job.Finished f, List<Logprobs.Entry> logprobs, int promptTokens) {
        return complete(f, logprobs, promptTokens, null);
    }

    /** The whole answer; {@code reply} holds the parsed tool calls (null when no tools were offered). */
    ObjectNode complete(Job.Finished f, List<Logprobs.Entry> logprobs, int promptTokens, ToolCallParser.Reply reply) {
        ObjectNode o = head(false);
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", 0);
        boolean calls = reply != null && reply.hasCalls();
        if (chat) {
            ObjectNode m = c.putObject("message");
            m.put("role", "assistant");
            if (calls) {
                if (reply.content().isEmpty()) m.putNull("content");
                else m.put("content", reply.content());
                ArrayNode list = m.putArray("tool_calls");
                for (ToolCall call : reply.calls()) {
                    ObjectNode t = list.addObject();
                    t.put("id", call.id());
                    t.put("type", "function");
                    ObjectNode fn = t.putObject("function");
                    fn.put("name", call.name());
                    fn.put("arguments", call.arguments());
                }
            } else {
                m.put("content", f.generation().text());
            }
        } else {
            c.put("text", f.generation().text());
        }
        logprobs(c, logprobs, 0);
        c.put("finish_reason", finishReason(f.generation().stopReason(), calls));
        o.set("usage", usage(f, promptTokens));
        o.set("winnow", winnow(f, promptTokens));
        return o;
    }

    /** The first chunk of a streamed chat: {@code role} and empty {@code content}. */
    ObjectNode roleChunk() {
        ObjectNode o = head(true);
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", 0);
        ObjectNode d = c.putObject("delta");
        d.put("role", "assistant");
        d.put("content", "");
        c.putNull("logprobs");
        c.putNull("finish_reason");
        return o;
    }

    /** A chunk with generated text (and its tokens' log probabilities when asked). */
    ObjectNode textChunk(String text, List<Logprobs.Entry> logprobs, int textOffset) {
        ObjectNode o = head(true);
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", 0);
        if (chat) c.putObject("delta").put("content", text);
        else c.put("text", text);
        logprobs(c, logprobs, textOffset);
        c.putNull("finish_reason");
        return o;
    }

    /**
     * The first chunk of one streamed tool call: its index, id, type, name and empty arguments
     * (the arguments follow in {@link #toolArgumentsChunk}s).
     */
    ObjectNode toolCallChunk(int index, ToolCall call) {
        ObjectNode o = head(true);
        ObjectNode t = toolCallDelta(o, index);
        t.put("id", call.id());
        t.put("type", "function");
        ObjectNode fn = t.putObject("function");
        fn.put("name", call.name());
        fn.put("arguments", "");
        return o;
    }

    /** A piece of a streamed call's arguments. */
    ObjectNode toolArgumentsChunk(int index, String arguments) {
        ObjectNode o = head(true);
        toolCallDelta(o, index).putObject("function").put("arguments", arguments);
        return o;
    }

    /** Adds a choice whose delta holds one tool call with this index; returns the call object. */
    private static ObjectNode toolCallDelta(ObjectNode chunk, int index) {
        ObjectNode c = chunk.putArray("choices").addObject();
        c.put("index", 0);
        ObjectNode t = c.putObject("delta").putArray("tool_calls").addObject();
        t.put("index", index);
        c.putNull("logprobs");
        c.putNull("finish_reason");
        return t;
    }

    /** The chunk with the finish reason (and the {@code winnow} object). */
    ObjectNode finishChunk(Job.Finished f, int promptTokens) {
        return finishChunk(f, promptTokens, false);
    }

    /** The finish chunk; {@code calls}: the reply made tool calls. */
    ObjectNode finishChunk(Job.Finished f, int promptTokens, boolean calls) {
        ObjectNode o = head(true);
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", 0);
        if (chat) c.putObject("delta");
        else c.put("text", "");
        c.putNull("logprobs");
        c.put("finish_reason", finishReason(f.generation().stopReason(), calls));
        o.set("winnow", winnow(f, promptTokens));
        return o;
    }

    /** The usage chunk ({@code stream_options.include_usage}): empty choices. */
    ObjectNode usageChunk(Job.Finished f, int promptTokens) {
        ObjectNode o = head(true);
        o.putArray("choices");
        o.set("usage", usage(f, promptTokens));
        return o;
    }

    private static ObjectNode usage(Job.Finished f, int promptTokens) {
        ObjectNode u = Json.object();
        int completion = f.generation().tokens().length;
        u.put("prompt_tokens", promptTokens);
        u.put("completion_tokens", completion);
        u.put("total_tokens", promptTokens + completion);
        u.putObject("prompt_tokens_details").put("cached_tokens", f.cachedTokens());
        return u;
    }

    /** The extension object: what the sequence's KV cache held at the end. */
    private ObjectNode winnow(Job.Finished f, int promptTokens) {
        KvStats s = f.stats();
        ObjectNode w = Json.object();
        w.put("kv", f.kv());
        w.put("kv_entries", s.totalEntries());
        w.put("kv_bytes", s.bytesUsed());
        w.put("kv_bytes_allocated", s.bytesAllocated());
        // The last generated token is never run through the model (it would be the next step's input).
        long tokens = Math.max(0, (long) promptTokens + f.generation().tokens().length - 1);
        long uncompressed = tokens * config.layers() * config.kvHeads() * 2L * config.headSize() * Float.BYTES;
        long kvBytes = s.keyBytes() + s.valueBytes();
        w.put("compression_ratio", kvBytes == 0 ? 1.0 : round((double) uncompressed / kvBytes));
        w.put("entries_read_per_step", round(s.reads().meanRead()));
        w.put("entries_held_per_step", round(s.reads().meanHeld()));
        w.put("prefill_tokens_per_second", round(f.generation().prefillTokensPerSecond()));
        w.put("decode_tokens_per_second", round(f.generation().decodeTokensPerSecond()));
        Job.Speculation sp = f.speculation();
        if (sp != null) {
            ObjectNode o = w.putObject("speculation");
            o.put("drafter", sp.spec());
            o.put("steps", sp.steps());
            o.put("draft_tokens", sp.drafted());
            o.put("accepted_tokens", sp.accepted());
            o.put("accepted_per_step", sp.steps() == 0 ? 0.0 : round((double) sp.accepted() / sp.steps()));
            o.put("acceptance_rate", sp.drafted() == 0 ? 0.0 : round((double) sp.accepted() / sp.drafted()));
        }
        return w;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private void logprobs(ObjectNode choice, List<Logprobs.Entry> entries, int textOffset) {
        if (entries == null) {
            choice.putNull("logprobs");
            return;
        }
        ObjectNode lp = choice.putObject("logprobs");
        if (chat) {
            ArrayNode content = lp.putArray("content");
            for (Logprobs.Entry e : entries) {
                ObjectNode t = alt(content.addObject(), e.token());
                ArrayNode top = t.putArray("top_logprobs");
                for (Logprobs.Alt a : e.top()) alt(top.addObject(), a);
            }
        } else {
            ArrayNode tokens = lp.putArray("tokens");
            ArrayNode tokenLogprobs = lp.putArray("token_logprobs");
            ArrayNode top = lp.putArray("top_logprobs");
            ArrayNode offsets = lp.putArray("text_offset");
            int offset = textOffset;
            for (Logprobs.Entry e : entries) {
                tokens.add(e.token().text());
                tokenLogprobs.add(e.token().logprob());
                ObjectNode alts = top.addObject();
                for (Logprobs.Alt a : e.top()) alts.put(a.text(), a.logprob());
                offsets.add(offset);
                offset += e.token().text().length();
            }
        }
    }

    private static ObjectNode alt(ObjectNode o, Logprobs.Alt a) {
        o.put("token", a.text());
        o.put("logprob", a.logprob());
        ArrayNode bytes = o.putArray("bytes");
        for (byte b : a.text().getBytes(StandardCharsets.UTF_8)) bytes.add(b & 0xff);
        return o;
    }
}
