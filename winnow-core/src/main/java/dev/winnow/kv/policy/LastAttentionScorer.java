package dev.winnow.kv.policy;

import dev.winnow.kv.AttentionRecorder;
import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;

/**
 * TOVA's score: the attention the most recent query paid to each entry
 * ({@link HeadStore#lastAttention}, already averaged over the query heads of the group).
 *
 * <p>With {@code acrossLayer} (the paper's rule) the score is also averaged over the KV heads of
 * the layer, so that every head of a layer keeps the same tokens. It averages over the heads that
 * hold exactly the same positions as this one — all of them when the layer has only ever been
 * compressed with these scores — summing in head order so every head gets bit-identical scores
 * and makes the same choice. The layer average is computed once per layer and compression (when
 * head 0 is scored) and reused for the other heads.
 */
public final class LastAttentionScorer implements Scorer {
    private final boolean acrossLayer;
    // The layer average of the last compression, valid while the same layer of the same cache at
    // the same step is scored; null when the heads of that layer hold different positions.
    private KvCache memoCache;
    private int memoLayer = -1;
    private int memoStep = -1;
    private float[] memoAverage;

    public LastAttentionScorer(boolean acrossLayer) {
        this.acrossLayer = acrossLayer;
    }

    @Override
    public void score(KvCache cache, int layer, int kvHead, HeadStore store, PolicyContext ctx, float[] out) {
        int n = store.size();
        if (!acrossLayer || cache.kvHeads() == 1) {
            for (int i = 0; i < n; i++) out[i] = store.lastAttention(i);
            return;
        }
        if (kvHead == 0 || cache != memoCache || layer != memoLayer || cache.step() != memoStep) {
            memoCache = cache;
            memoLayer = layer;
            memoStep = cache.step();
            memoAverage = layerAverage(cache, layer);
        }
        if (memoAverage != null && memoAverage.length == n) {
            System.arraycopy(memoAverage, 0, out, 0, n);
            return;
        }
        // Heads out of step (e.g. compressed by something else): average over the aligned ones.
        java.util.Arrays.fill(out, 0, n, 0f);
        int count = 0;
        for (int h = 0; h < cache.kvHeads(); h++) {
            HeadStore other = cache.head(layer, h);
            if (h != kvHead && !samePositions(store, other)) continue;
            for (int i = 0; i < n; i++) out[i] += other.lastAttention(i);
            count++;
        }
        for (int i = 0; i < n; i++) out[i] /= count;
    }

    /** The mean over all heads of the layer, or null when they do not all hold the same positions. */
    private static float[] layerAverage(KvCache cache, int layer) {
        HeadStore first = cache.head(layer, 0);
        for (int h = 1; h < cache.kvHeads(); h++) if (!samePositions(first, cache.head(layer, h))) return null;
        int n = first.size();
        float[] avg = new float[n];
        for (int h = 0; h < cache.kvHeads(); h++) {
            HeadStore s = cache.head(layer, h);
            for (int i = 0; i < n; i++) avg[i] += s.lastAttention(i);
        }
        for (int i = 0; i < n; i++) avg[i] /= cache.kvHeads();
        return avg;
    }

    private static boolean samePositions(HeadStore a, HeadStore b) {
        int n = a.size();
        if (b.size() != n) return false;
        for (int i = 0; i < n; i++) if (a.position(i) != b.position(i)) return false;
        return true;
    }

    @Override
    public AttentionRecorder recorder() {
        return AttentionRecorder.STATISTICS;
    }
}
