package dev.winnow.template;

import dev.winnow.gguf.GgufArray;
import dev.winnow.gguf.GgufFile;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A model's chat template: turns a conversation into the prompt text the model was trained on,
 * rendering the Jinja template exactly like HF transformers' {@code apply_chat_template}.
 *
 * <p>The template sees {@code messages} (a list of {@code {"role", "content"}} dicts),
 * {@code add_generation_prompt}, {@code bos_token} and {@code eos_token} (when known),
 * {@code tools} and {@code documents} (none unless given) and any extra variables (e.g.
 * {@code date_string}, {@code enable_thinking}). The rendered text already contains the BOS token
 * when the template writes it, so tokenize it without adding another.
 *
 * <p>Immutable and thread-safe.
 */
public final class ChatTemplate {
    /** GGUF metadata key of the default template. */
    public static final String GGUF_KEY = "tokenizer.chat_template";

    /**
     * The ChatML format ({@code <|im_start|>role\ncontent<|im_end|>\n}), HF's historical default.
     * Only a fallback: a model without a template was not necessarily trained on it.
     */
    public static final String CHATML_SOURCE = "{% for message in messages %}"
            + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
            + "{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private final String source;
    private final JinjaTemplate template;
    private final String bosToken;
    private final String eosToken;
    private final Clock clock;

    private ChatTemplate(String source, JinjaTemplate template, String bosToken, String eosToken, Clock clock) {
        this.source = source;
        this.template = template;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.clock = clock;
    }

    /**
     * Parses a template (no BOS/EOS tokens known: {@code bos_token}/{@code eos_token} are
     * undefined unless passed as extra variables).
     *
     * @throws TemplateException for a syntax error, with line and column
     */
    public static ChatTemplate of(String source) {
        return of(source, null, null);
    }

    /** Parses a template that will see the given special tokens (null = undefined). */
    public static ChatTemplate of(String source, String bosToken, String eosToken) {
        return new ChatTemplate(source, JinjaTemplate.parse(source), bosToken, eosToken, Clock.systemDefaultZone());
    }

    /**
     * The template stored in a GGUF file ({@value #GGUF_KEY}), with {@code bos_token} and
     * {@code eos_token} taken from the vocabulary; empty when the file has no template.
     *
     * @throws TemplateException when the stored template does not parse
     */
    public static Optional<ChatTemplate> fromGguf(GgufFile gguf) {
        return fromGguf(gguf, null);
    }

    /**
     * A named template from a GGUF file ({@code tokenizer.chat_template.<name>}, e.g.
     * {@code tool_use}); {@code name == null} means the default template.
     */
    public static Optional<ChatTemplate> fromGguf(GgufFile gguf, String name) {
        String key = name == null ? GGUF_KEY : GGUF_KEY + "." + name;
        Optional<String> src = gguf.findString(key);
        if (src.isEmpty() || src.get().isEmpty()) return Optional.empty();
        return Optional.of(of(src.get(), specialToken(gguf, "tokenizer.ggml.bos_token_id"),
                specialToken(gguf, "tokenizer.ggml.eos_token_id")));
    }

    private static String specialToken(GgufFile gguf, String idKey) {
        if (!gguf.has(idKey)) return null;
        Optional<GgufArray> tokens = gguf.findArray("tokenizer.ggml.tokens");
        if (tokens.isEmpty()) return null;
        long id = gguf.getLong(idKey);
        if (id < 0 || id >= tokens.get().size()) return null;
        return tokens.get().get((int) id) instanceof String s ? s : null;
    }

    /**
     * The ChatML fallback ({@link #CHATML_SOURCE}) for a model that has no template. Using it is
     * a guess: callers should say so to the user.
     */
    public static ChatTemplate chatml() {
        return of(CHATML_SOURCE);
    }

    /** This template with other special tokens (null = undefined). */
    public ChatTemplate withSpecialTokens(String bosToken, String eosToken) {
        return new ChatTemplate(source, template, bosToken, eosToken, clock);
    }

    /** This template reading the date for {@code strftime_now} from {@code clock} (for tests). */
    public ChatTemplate withClock(Clock clock) {
        return new ChatTemplate(source, template, bosToken, eosToken, Objects.requireNonNull(clock, "clock"));
    }

    public String source() {
        return source;
    }

    /** The clock {@code strftime_now} reads. */
    public Clock clock() {
        return clock;
    }

    public Optional<String> bosToken() {
        return Optional.ofNullable(bosToken);
    }

    public Optional<String> eosToken() {
        return Optional.ofNullable(eosToken);
    }

    /** Renders {@code messages} with no extra variables. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * Renders a conversation.
     *
     * @param addGenerationPrompt append the header that starts the assistant's reply
     * @param extraVariables more template variables ({@code tools}, {@code date_string}, ...);
     *                       they may override {@code bos_token}, {@code eos_token}, {@code tools}
     *                       and {@code documents}
     * @throws TemplateException when the template fails or calls {@code raise_exception}
     *                           ({@link TemplateException.Kind#RAISED}, e.g. roles not alternating)
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> extraVariables) {
        List<Map<String, Object>> maps = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) maps.add(m.toMap());
        return renderMessages(maps, addGenerationPrompt, extraVariables);
    }

    /**
     * Renders messages given as dicts, for fields beyond role and content ({@code tool_calls},
     * {@code tool_call_id}, {@code name}, ...).
     */
    public String renderMessages(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt,
                                 Map<String, ?> extraVariables) {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(extraVariables, "extraVariables");
        for (String reserved : List.of("messages", "add_generation_prompt")) {
            if (extraVariables.containsKey(reserved)) {
                throw new IllegalArgumentException("'" + reserved + "' cannot be passed as an extra variable");
            }
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("messages", messages);
        vars.put("add_generation_prompt", addGenerationPrompt);
        if (bosToken != null) vars.put("bos_token", bosToken);
        if (eosToken != null) vars.put("eos_token", eosToken);
        vars.put("tools", null);
        vars.put("documents", null);
        vars.putAll(extraVariables);
        return template.render(vars, clock);
    }
}
