package dev.winnow.tools;

import java.util.Objects;

/**
 * One call the model made: an id (generated; OpenAI's {@code tool_calls[].id}), the function's
 * name and its arguments as compact JSON text (an object).
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }
}
