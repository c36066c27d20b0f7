package dev.winnow.kv.policy;

/**
 * Runs the model over a token sequence with attention recording on, for policies that
 * classify heads by profiling (DuoAttention/RazorAttention), or with a cache prepared for a
 * calibration pass (Double Sparsity). Supplied by the session.
 */
@FunctionalInterface
public interface HeadProfiler {
    /**
     * Runs {@code tokens} through a fresh cache whose recorder is {@code recorder} and returns
     * when done.
     */
    void run(int[] tokens, dev.winnow.kv.AttentionRecorder recorder);

    /**
     * Runs {@code tokens} through a fresh cache that {@code setup} prepares first (e.g. asks it
     * to keep queries) and hands that cache to {@code inspect} after the last token (calibration
     * passes such as Double Sparsity's channel profile).
     */
    default void run(int[] tokens, java.util.function.Consumer<dev.winnow.kv.KvCache> setup,
                     java.util.function.Consumer<dev.winnow.kv.KvCache> inspect) {
        throw new UnsupportedOperationException("this profiler can only record attention");
    }
}
