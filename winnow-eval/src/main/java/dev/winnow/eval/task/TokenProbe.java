package dev.winnow.eval.task;

/**
 * A token-id test sequence (recall tasks such as MQAR): the {@code context} is prefilled (the
 * policy compresses it as it would any prompt), then the {@code continuation} is fed one token at
 * a time with its original positions (teacher-forced). {@code scored[k]} names the step whose
 * prediction must be {@code expected[k]}: step {@code i ≥ 0} is the logits after
 * {@code continuation[i]} was run, step {@code −1} the logits after the context.
 */
public record TokenProbe(int[] context, int[] continuation, int[] scored, int[] expected) {
    public TokenProbe {
        if (context.length == 0) throw new IllegalArgumentException("empty context");
        if (scored.length != expected.length) {
            throw new IllegalArgumentException(scored.length + " scored steps but " + expected.length + " expected tokens");
        }
        if (scored.length == 0) throw new IllegalArgumentException("nothing to score");
        for (int s : scored) {
            if (s < -1 || s >= continuation.length) {
                throw new IllegalArgumentException("scored step " + s + " outside -1.." + (continuation.length - 1));
            }
        }
    }

    /** Tokens the sequence puts in the cache. */
    public int length() {
        return context.length + continuation.length;
    }
}
