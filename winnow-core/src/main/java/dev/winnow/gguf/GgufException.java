package dev.winnow.gguf;

/** A GGUF file that cannot be read or written: the message names the file and what was wrong. */
public class GgufException extends RuntimeException {
    public GgufException(String message) {
        super(message);
    }

    public GgufException(String message, Throwable cause) {
        super(message, cause);
    }
}
