package dev.winnow.tools;

import java.util.List;
import java.util.Optional;

/**
 * How a model family writes tool calls, recognized from its chat template's source
 * ({@link #detect}); {@link #forTemplate} falls back to {@link #HERMES} (the most widely trained
 * format, and one with an unambiguous opening tag) when nothing is recognized.
 */
public enum ToolCallFormat {
    /** Hermes 2 Pro / Hermes 3 / Qwen 2.5: {@code <tool_call>{"name": …, "arguments": {…}}</tool_call>}, one block per call. */
    HERMES("arguments", List.of("<tool_call>")),
    /** Llama 3.1–3.3: the reply is {@code {"name": …, "parameters": {…}}} (after {@code <|python_tag|>} when the model emits it). */
    LLAMA3("parameters", List.of("{\"name\"", "{ \"name\"")),
    /** Mistral (Nemo and later): {@code [TOOL_CALLS][{"name": …, "arguments": {…}}, …]}. */
    MISTRAL("arguments", List.of("[TOOL_CALLS]")),
    /** FireFunction v2: {@code functools[{"name": …, "arguments": {…}}, …]}. */
    FIREFUNCTION("arguments", List.of("functools["));

    private final String argumentsKey;
    private final List<String> triggers;

    ToolCallFormat(String argumentsKey, List<String> triggers) {
        this.argumentsKey = argumentsKey;
        this.triggers = triggers;
    }

    /** The key of a call object that holds the arguments ({@code arguments} or Llama's {@code parameters}). */
    public String argumentsKey() {
        return argumentsKey;
    }

    /** The strings that open a call in free text (what a lazy grammar waits for). */
    public List<String> triggers() {
        return triggers;
    }

    /** The format a chat template was written for, if recognized. */
    public static Optional<ToolCallFormat> detect(String templateSource) {
        if (templateSource == null) return Optional.empty();
        if (templateSource.contains("<tool_call>")) return Optional.of(HERMES);
        if (templateSource.contains("[TOOL_CALLS]")) return Optional.of(MISTRAL);
        if (templateSource.contains("functools[")) return Optional.of(FIREFUNCTION);
        if (templateSource.contains("<|python_tag|>")
                || (templateSource.contains("<|start_header_id|>") && templateSource.contains("\"parameters\"")
                    && templateSource.contains("tools"))) {
            return Optional.of(LLAMA3);
        }
        return Optional.empty();
    }

    /** {@link #detect}, else {@link #HERMES}. */
    public static ToolCallFormat forTemplate(String templateSource) {
        return detect(templateSource).orElse(HERMES);
    }
}
