package dev.winnow.kv.policy;

import dev.winnow.kv.AttentionRecorder;
import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;

/** H2O's score: the attention an entry has received so far, summed over queries and heads. */
public final class AccumulatedAttentionScorer implements Scorer {
    @Override
    public void score(KvCache cache, int layer, int kvHead, HeadStore store, PolicyContext ctx, float[] out) {
        for (int i = 0; i < store.size(); i++) out[i] = store.accumulatedAttention(i);
    }

    @Override
    public AttentionRecorder recorder() {
        return AttentionRecorder.STATISTICS;
    }
}
