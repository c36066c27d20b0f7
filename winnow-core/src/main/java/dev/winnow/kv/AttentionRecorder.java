package dev.winnow.kv;

/**
 * Receives attention probabilities from the attention kernel (no second pass over the cache).
 * The default records {@link HeadStore#observe}; a policy may add its own statistics (e.g.
 * into {@link HeadStore#setExtra}). Called once per query token and KV head, with the
 * probabilities of the group's query heads summed; calls for one store never run concurrently.
 */
@FunctionalInterface
public interface AttentionRecorder {
    void record(int layer, int kvHead, HeadStore store, float[] probs, int n, int groupSize, int step);

    /** Records the generic statistics of {@link HeadStore}. */
    AttentionRecorder STATISTICS = (layer, kvHead, store, probs, n, groupSize, step) ->
            store.observe(probs, n, groupSize, step);
}
