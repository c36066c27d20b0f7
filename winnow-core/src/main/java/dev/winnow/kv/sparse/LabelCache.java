package dev.winnow.kv.sparse;

import dev.winnow.kv.HeadStore;
import java.util.Arrays;

/**
 * Double Sparsity's label cache for one store: the values of a few chosen key channels of every
 * entry, contiguous, so that approximate scores read {@code channels} floats per entry instead of
 * the whole key. Each key is read once, when {@link #update} first sees it; rebuilt when the
 * store's entries move ({@link HeadStore#version}).
 */
final class LabelCache {
    private final int[] channels;
    private final float[] key;
    private float[] labels = new float[0];
    private int covered;
    private int version = -1;

    LabelCache(int headSize, int[] channels) {
        this.channels = channels.clone();
        this.key = new float[headSize];
    }

    void update(HeadStore store) {
        int n = store.size(), r = channels.length;
        if (store.version() != version || covered > n) {
            version = store.version();
            covered = 0;
        }
        if (labels.length < n * r) labels = Arrays.copyOf(labels, Math.max(n, 2 * labels.length / Math.max(1, r)) * r);
        for (int i = covered; i < n; i++) {
            store.key(i, key, 0);
            for (int j = 0; j < r; j++) labels[i * r + j] = key[channels[j]];
        }
        covered = n;
    }

    /** {@code out[i − from] += Σ_j q[qOff + channel_j] · k_i[channel_j]} for entries {@code i ∈ [from, to)}. */
    void addScores(float[] q, int qOff, int from, int to, float[] out) {
        int r = channels.length;
        for (int i = from; i < to; i++) {
            float s = 0;
            int base = i * r;
            for (int j = 0; j < r; j++) s += q[qOff + channels[j]] * labels[base + j];
            out[i - from] += s;
        }
    }

    /** Bytes held (the label values of the entries covered). */
    long bytes() {
        return (long) covered * channels.length * Float.BYTES;
    }
}
