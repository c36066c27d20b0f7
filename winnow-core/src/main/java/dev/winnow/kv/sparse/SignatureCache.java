package dev.winnow.kv.sparse;

import dev.winnow.kv.HeadStore;
import java.util.Arrays;

/**
 * HashEvict's key signatures for one store: {@code bits} sign bits of random projections of each
 * key (SimHash), one {@code long} per entry. Each key is hashed once, when {@link #update} first
 * sees it; rebuilt when the store's entries move ({@link HeadStore#version}).
 */
final class SignatureCache {
    private final float[] projections; // bits × dim, row-major
    private final int bits;
    private final int dim;
    private final float[] key;
    private long[] signatures = new long[16];
    private int covered;
    private int version = -1;

    SignatureCache(float[] projections, int bits, int dim) {
        this.projections = projections;
        this.bits = bits;
        this.dim = dim;
        this.key = new float[dim];
    }

    /** The sign bits of the projections of {@code v[off…off+dim)}: bit b set when row b · v ≥ 0. */
    static long signature(float[] projections, int bits, int dim, float[] v, int off) {
        long sig = 0;
        for (int b = 0; b < bits; b++) {
            float s = 0;
            int row = b * dim;
            for (int c = 0; c < dim; c++) s += projections[row + c] * v[off + c];
            if (s >= 0) sig |= 1L << b;
        }
        return sig;
    }

    void update(HeadStore store) {
        int n = store.size();
        if (store.version() != version || covered > n) {
            version = store.version();
            covered = 0;
        }
        if (signatures.length < n) signatures = Arrays.copyOf(signatures, Math.max(n, signatures.length * 2));
        for (int i = covered; i < n; i++) {
            store.key(i, key, 0);
            signatures[i] = signature(projections, bits, dim, key, 0);
        }
        covered = n;
    }

    /** {@code out[i − from] += bits − hamming(sig, signature_i)} (agreeing bits) for {@code i ∈ [from, to)}. */
    void addAgreement(long sig, int from, int to, float[] out) {
        for (int i = from; i < to; i++) out[i - from] += bits - Long.bitCount((sig ^ signatures[i]) & mask());
    }

    private long mask() {
        return bits == 64 ? -1L : (1L << bits) - 1;
    }
}
