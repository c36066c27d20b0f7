package dev.winnow.grammar;

/** A grammar or schema that cannot be compiled; the message names the rule, feature or offset. */
public final class GrammarException extends IllegalArgumentException {
    public GrammarException(String message) {
        super(message);
    }
}
