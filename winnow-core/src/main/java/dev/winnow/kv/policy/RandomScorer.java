package dev.winnow.kv.policy;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;

/**
 * Uniform random scores, drawn afresh at every compression: a hash of (seed, layer, KV head,
 * cache step, entry position), so the same seed on the same input evicts the same entries, and
 * each compression picks its victims uniformly among the unprotected entries.
 */
public final class RandomScorer implements Scorer {
    private final long seed;

    public RandomScorer(long seed) {
        this.seed = seed;
    }

    @Override
    public void score(KvCache cache, int layer, int kvHead, HeadStore store, PolicyContext ctx, float[] out) {
        int step = cache.step();
        for (int i = 0; i < store.size(); i++) {
            out[i] = (float) SeededNoise.uniform(seed, layer, kvHead, step, store.position(i));
        }
    }
}
