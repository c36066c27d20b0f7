package dev.winnow.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tile of {@link MatMul#matmul}: dot products of {@value #ROWS} decoded weight rows
 * with {@value #TOKENS} activation rows, 16 accumulators, each weight and activation vector
 * loaded once per step.
 */
final class Tile {
    static final int ROWS = 4;
    static final int TOKENS = 4;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Tile() {
    }

    /**
     * {@code out[(b+t)*outStride + r + i] = w[i*n …] · x[(b+t)*n …]} for {@code i, t < 4}.
     */
    static void dot4x4(float[] w, int n, float[] x, int b, float[] out, int r, int outStride) {
        dot4x4(w, n, x, b, out, r, outStride, new float[SCRATCH]);
    }

    /** Floats of scratch {@link #dot4x4(float[], int, float[], int, float[], int, int, float[])} needs. */
    static final int SCRATCH = 16 * S.length() + 16;

    /** As above, with a caller's scratch array of {@link #SCRATCH} floats (no allocation per tile). */
    static void dot4x4(float[] w, int n, float[] x, int b, float[] out, int r, int outStride, float[] scratch) {
        int x0 = b * n, x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
        int w1 = n, w2 = 2 * n, w3 = 3 * n;
        FloatVector z = FloatVector.zero(S);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z;
        FloatVector a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z;
        FloatVector a30 = z, a31 = z, a32 = z, a33 = z;
        int k = 0;
        int upper = FloatTensor.USE_VECTOR ? S.loopBound(n) : 0;
        for (; k < upper; k += S.length()) {
            FloatVector v0 = FloatVector.fromArray(S, x, x0 + k);
            FloatVector v1 = FloatVector.fromArray(S, x, x1 + k);
            FloatVector v2 = FloatVector.fromArray(S, x, x2 + k);
            FloatVector v3 = FloatVector.fromArray(S, x, x3 + k);
            FloatVector wv = FloatVector.fromArray(S, w, k);
            a00 = wv.fma(v0, a00); a01 = wv.fma(v1, a01); a02 = wv.fma(v2, a02); a03 = wv.fma(v3, a03);
            wv = FloatVector.fromArray(S, w, w1 + k);
            a10 = wv.fma(v0, a10); a11 = wv.fma(v1, a11); a12 = wv.fma(v2, a12); a13 = wv.fma(v3, a13);
            wv = FloatVector.fromArray(S, w, w2 + k);
            a20 = wv.fma(v0, a20); a21 = wv.fma(v1, a21); a22 = wv.fma(v2, a22); a23 = wv.fma(v3, a23);
            wv = FloatVector.fromArray(S, w, w3 + k);
            a30 = wv.fma(v0, a30); a31 = wv.fma(v1, a31); a32 = wv.fma(v2, a32); a33 = wv.fma(v3, a33);
        }
        // Lane sums in plain scalar code (fixed order, no vector values passed to helpers).
        float[] lanes = scratch;
        int L = S.length();
        a00.intoArray(lanes, 0); a01.intoArray(lanes, L); a02.intoArray(lanes, 2 * L); a03.intoArray(lanes, 3 * L);
        a10.intoArray(lanes, 4 * L); a11.intoArray(lanes, 5 * L); a12.intoArray(lanes, 6 * L); a13.intoArray(lanes, 7 * L);
        a20.intoArray(lanes, 8 * L); a21.intoArray(lanes, 9 * L); a22.intoArray(lanes, 10 * L); a23.intoArray(lanes, 11 * L);
        a30.intoArray(lanes, 12 * L); a31.intoArray(lanes, 13 * L); a32.intoArray(lanes, 14 * L); a33.intoArray(lanes, 15 * L);
        int s0 = 16 * L; // the 16 sums live after the lanes
        float[] s = scratch;
        for (int t = 0; t < 16; t++) {
            float acc = 0;
            for (int i = 0; i < L; i++) acc += lanes[t * L + i];
            s[s0 + t] = acc;
        }
        for (; k < n; k++) {
            for (int i = 0; i < 4; i++) {
                float wi = w[i * n + k];
                s[s0 + i * 4] += wi * x[x0 + k];
                s[s0 + i * 4 + 1] += wi * x[x1 + k];
                s[s0 + i * 4 + 2] += wi * x[x2 + k];
                s[s0 + i * 4 + 3] += wi * x[x3 + k];
            }
        }
        for (int i = 0; i < 4; i++) {
            for (int t = 0; t < 4; t++) out[(b + t) * outStride + r + i] = s[s0 + i * 4 + t];
        }
    }
}
