package dev.winnow.kv.policy;

/** A head-profile side file that cannot be used: the message names the file, the line and what is wrong. */
public class CorruptProfileException extends IllegalStateException {
    public CorruptProfileException(String message) {
        super(message);
    }
}
