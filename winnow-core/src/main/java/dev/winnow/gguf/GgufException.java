package dev.winnow.gguf;

/** A GGUF file that cannot be read or written: the message names the file and what was wrong. */
public class GgufException extends RuntimeException {
    /** Control characters in {@code message} are escaped (it may quote names from a hostile file). */
    public GgufException(String message) {
        super(Printable.escape(message));
    }

    public GgufException(String message, Throwable cause) {
        super(Printable.escape(message), cause);
    }
}
