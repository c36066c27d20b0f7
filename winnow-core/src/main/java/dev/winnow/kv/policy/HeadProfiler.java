package dev.winnow.kv.policy;

/**
 * Runs the model over a token sequence with attention recording on, for policies that
 * classify heads by profiling (DuoAttention/RazorAttention). Supplied by the session.
 */
@FunctionalInterface
public interface HeadProfiler {
    /**
     * Runs {@code tokens} through a fresh cache whose recorder is {@code recorder} and returns
     * when done.
     */
    void run(int[] tokens, dev.winnow.kv.AttentionRecorder recorder);
}
