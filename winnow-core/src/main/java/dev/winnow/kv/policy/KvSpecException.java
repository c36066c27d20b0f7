package dev.winnow.kv.policy;

import dev.winnow.gguf.Printable;

/**
 * A compression spec that cannot be parsed: the message says what is wrong and what is valid.
 * Control characters are escaped: the message quotes the spec, which comes from a command line or
 * an HTTP request.
 */
public class KvSpecException extends IllegalArgumentException {
    public KvSpecException(String message) {
        super(Printable.message(message));
    }
}
