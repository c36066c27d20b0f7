package dev.winnow.kv.policy;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.QueryWindow;

/**
 * SnapKV's score: the attention the last {@code window} queries (the observation window) pay
 * to each entry, summed over those queries and over the query heads of the group, then
 * smoothed by a 1-D max or average pooling of width {@code kernel} so that neighbours of an
 * important entry survive with it. As the reference code, the pooling runs over the entries
 * outside the observation window only (the prefix the window scores): the window's own entries,
 * which the policies keep anyway, are not pooled into their neighbours' scores, and the prefix
 * is padded at its end, not continued into the window.
 */
public final class SnapKvScorer implements Scorer {
    private final int window;
    private final int kernel;
    private final boolean maxPool;

    public SnapKvScorer(int window, int kernel, boolean maxPool) {
        this.window = window;
        this.kernel = kernel;
        this.maxPool = maxPool;
    }

    @Override
    public int queryWindow() {
        return window;
    }

    @Override
    public void score(KvCache cache, int layer, int kvHead, HeadStore store, PolicyContext ctx, float[] out) {
        int n = store.size();
        float[] raw = new float[n];
        QueryWindow qw = cache.queries();
        windowAttention(qw, layer, kvHead, store, ctx, raw);
        int prefix = n - Math.min(n, qw == null ? 0 : qw.count(layer));
        pool(raw, prefix, kernel, maxPool, out);
        System.arraycopy(raw, prefix, out, prefix, n - prefix);
    }

    /**
     * Sums, over the held window queries and the group's query heads, the softmax attention of
     * each query over the entries it can see (causal: the j-th newest query sees all but the
     * j−1 newest entries).
     */
    static void windowAttention(QueryWindow qw, int layer, int kvHead, HeadStore store, PolicyContext ctx, float[] out) {
        int n = store.size();
        java.util.Arrays.fill(out, 0, n, 0f);
        if (qw == null) return;
        int w = qw.count(layer);
        int group = ctx.groupSize();
        float scale = (float) (1.0 / Math.sqrt(ctx.headSize()));
        float[] s = new float[n];
        float[] data = qw.data(layer);
        for (int j = 0; j < w; j++) {
            int visible = Math.max(1, n - (w - 1 - j));
            for (int h = kvHead * group; h < (kvHead + 1) * group; h++) {
                store.scores(data, qw.offset(layer, j, h), visible, scale, s);
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < visible; i++) max = Math.max(max, s[i]);
                double sum = 0;
                for (int i = 0; i < visible; i++) sum += s[i] = (float) Math.exp(s[i] - max);
                float inv = (float) (1 / sum);
                for (int i = 0; i < visible; i++) out[i] += s[i] * inv;
            }
        }
    }

    /** 1-D pooling of {@code in[0, n)} with "same" padding (max: −∞ pads; avg: zeros, divided by the kernel). */
    static void pool(float[] in, int n, int kernel, boolean max, float[] out) {
        int half = kernel / 2;
        for (int i = 0; i < n; i++) {
            int a = Math.max(0, i - half), b = Math.min(n - 1, i + half);
            float acc = max ? Float.NEGATIVE_INFINITY : 0f;
            for (int j = a; j <= b; j++) acc = max ? Math.max(acc, in[j]) : acc + in[j];
            out[i] = max ? acc : acc / kernel;
        }
    }
}
