package dev.winnow.generate.speculative;

/** A bad {@code --speculate} spec: the message names the drafter, parameter and value and what was expected. */
public final class SpeculateSpecException extends IllegalArgumentException {
    public SpeculateSpecException(String message) {
        super(message);
    }
}
