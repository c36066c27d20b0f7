package dev.winnow.kv.policy;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;

/** Newer entries score higher (insertion order). */
public final class RecencyScorer implements Scorer {
    @Override
    public void score(KvCache cache, int layer, int kvHead, HeadStore store, PolicyContext ctx, float[] out) {
        for (int i = 0; i < store.size(); i++) out[i] = i;
    }
}
