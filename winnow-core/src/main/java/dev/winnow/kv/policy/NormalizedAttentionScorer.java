package dev.winnow.kv.policy;

import dev.winnow.kv.AttentionRecorder;
import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;

/**
 * ZipCache's normalised attention score (saliency): the attention an entry has accumulated
 * divided by the number of queries that could attend to it — under causal attention the queries
 * from its own token on, i.e. {@code cache.step() − insertedStep} (at least 1). Plain
 * accumulated attention favours early tokens merely because more queries saw them; the
 * normalisation removes that bias.
 */
public final class NormalizedAttentionScorer implements Scorer {
    @Override
    public void score(KvCache cache, int layer, int kvHead, HeadStore store, PolicyContext ctx, float[] out) {
        int step = cache.step();
        for (int i = 0; i < store.size(); i++) {
            out[i] = store.accumulatedAttention(i) / Math.max(1, step - store.insertedStep(i));
        }
    }

    @Override
    public AttentionRecorder recorder() {
        return AttentionRecorder.STATISTICS;
    }
}
