package dev.winnow.generate;

/** The tokens to process do not fit in the session's context. */
public class ContextOverflowException extends IllegalArgumentException {
    public ContextOverflowException(String message) {
        super(message);
    }
}
