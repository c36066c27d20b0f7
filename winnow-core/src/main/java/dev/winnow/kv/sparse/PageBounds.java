package dev.winnow.kv.sparse;

import dev.winnow.kv.HeadStore;
import dev.winnow.tensor.FloatTensor;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Quest's page metadata for one store: for each page of {@code page} consecutive entries, the
 * per-channel minimum and maximum of its keys (as stored, i.e. decoded from the codec). Each key
 * is folded in once, when {@link #update} first sees it; when the store's entries move
 * (eviction, re-positioning: {@link HeadStore#version}) the bounds are rebuilt.
 */
public final class PageBounds {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private final int dim;
    private final int page;
    private final float[] key;
    private float[] min = new float[0];
    private float[] max = new float[0];
    private int covered;
    private int version = -1;

    public PageBounds(int dim, int page) {
        this.dim = dim;
        this.page = page;
        this.key = new float[dim];
    }

    /** Folds the store's entries not seen yet into their pages (all of them after the store changed). */
    public void update(HeadStore store) {
        int n = store.size();
        if (store.version() != version || covered > n) {
            version = store.version();
            covered = 0;
        }
        int pages = (n + page - 1) / page;
        if (min.length < pages * dim) {
            int cap = Math.max(pages, 2 * min.length / Math.max(1, dim)) * dim;
            min = Arrays.copyOf(min, cap);
            max = Arrays.copyOf(max, cap);
        }
        for (int i = covered; i < n; i++) {
            int base = (i / page) * dim;
            store.key(i, key, 0);
            if (i % page == 0) {
                System.arraycopy(key, 0, min, base, dim);
                System.arraycopy(key, 0, max, base, dim);
            } else {
                for (int c = 0; c < dim; c++) {
                    float k = key[c];
                    if (k < min[base + c]) min[base + c] = k;
                    if (k > max[base + c]) max[base + c] = k;
                }
            }
        }
        covered = n;
    }

    /** Entries folded in. */
    public int covered() {
        return covered;
    }

    /**
     * The bounds of pages {@code first … first+count−1} for the heads whose positive and negative
     * query parts are summed in {@code qPos} ({@code Σ_h max(q_h,0)}) and {@code qNeg}
     * ({@code Σ_h min(q_h,0)}): {@code out[j] = qPos·max + qNeg·min} of page {@code first+j}, which
     * equals the sum over those heads of {@link #bound} (per channel, {@code max(q·min, q·max)} is
     * {@code q·max} for {@code q ≥ 0} and {@code q·min} otherwise). Two vector dot products per page.
     */
    public void bounds(float[] qPos, float[] qNeg, int first, int count, float[] out) {
        int lanes = S.length();
        if (dim % lanes != 0) {
            for (int j = 0; j < count; j++) {
                int base = (first + j) * dim;
                float s = 0;
                for (int c = 0; c < dim; c++) s += qPos[c] * max[base + c] + qNeg[c] * min[base + c];
                out[j] = s;
            }
            return;
        }
        for (int j = 0; j < count; j++) {
            int base = (first + j) * dim;
            FloatVector acc = FloatVector.zero(S);
            for (int c = 0; c < dim; c += lanes) {
                acc = FloatVector.fromArray(S, qPos, c).fma(FloatVector.fromArray(S, max, base + c), acc);
                acc = FloatVector.fromArray(S, qNeg, c).fma(FloatVector.fromArray(S, min, base + c), acc);
            }
            out[j] = FloatTensor.sum(acc);
        }
    }

    /** The upper bound of {@code q · k} over the keys of page {@code p}: {@code Σ_c max(q_c·min_c, q_c·max_c)}. */
    public float bound(int p, float[] q, int qOff) {
        int base = p * dim;
        float s = 0;
        for (int c = 0; c < dim; c++) {
            float qc = q[qOff + c];
            s += Math.max(qc * min[base + c], qc * max[base + c]);
        }
        return s;
    }
}
