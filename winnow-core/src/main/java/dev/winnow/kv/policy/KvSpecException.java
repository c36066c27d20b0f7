package dev.winnow.kv.policy;

/** A compression spec that cannot be parsed: the message says what is wrong and what is valid. */
public class KvSpecException extends IllegalArgumentException {
    public KvSpecException(String message) {
        super(message);
    }
}
