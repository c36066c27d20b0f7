package dev.winnow.tools;

import java.util.Objects;

/**
 * Whether and which tool the model must call (OpenAI's {@code tool_choice}): {@link #AUTO} text or
 * calls, the call constrained once the model opens it; {@link #NONE} text only; {@link #REQUIRED}
 * at least one call, constrained from the first token; {@link #named} exactly that function.
 */
public record ToolChoice(Mode mode, String name) {
    public enum Mode { AUTO, NONE, REQUIRED, NAMED }

    public static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);
    public static final ToolChoice NONE = new ToolChoice(Mode.NONE, null);
    public static final ToolChoice REQUIRED = new ToolChoice(Mode.REQUIRED, null);

    public ToolChoice {
        Objects.requireNonNull(mode, "mode");
        if ((mode == Mode.NAMED) != (name != null)) throw new IllegalArgumentException("a name is given exactly for NAMED");
    }

    public static ToolChoice named(String function) {
        return new ToolChoice(Mode.NAMED, Objects.requireNonNull(function, "function"));
    }

    /** Whether the output must be calls from the first token on. */
    public boolean forcesCall() {
        return mode == Mode.REQUIRED || mode == Mode.NAMED;
    }
}
