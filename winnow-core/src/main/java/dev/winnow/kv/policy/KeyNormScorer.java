package dev.winnow.kv.policy;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;

/** Knorm's score: minus the L2 norm of the (rotated) key, so low-norm keys are kept. Needs no attention. */
public final class KeyNormScorer implements Scorer {
    @Override
    public void score(KvCache cache, int layer, int kvHead, HeadStore store, PolicyContext ctx, float[] out) {
        for (int i = 0; i < store.size(); i++) out[i] = -store.keyNorm(i);
    }
}
