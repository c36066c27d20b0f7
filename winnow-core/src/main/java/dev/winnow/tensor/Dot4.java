package dev.winnow.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Four dot products of one vector with four consecutive rows of a matrix, sharing the loads of the vector. */
final class Dot4 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Dot4() {
    }

    /**
     * {@code out[outOff + t*outStride] = w · x[xOff + t*n …]} for {@code t < 4}.
     */
    static void dot4(float[] w, float[] x, int xOff, int n, float[] out, int outOff, int outStride) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        int upper = FloatTensor.USE_VECTOR ? S.loopBound(n) : 0;
        for (; i < upper; i += S.length()) {
            FloatVector wv = FloatVector.fromArray(S, w, i);
            a0 = wv.fma(FloatVector.fromArray(S, x, xOff + i), a0);
            a1 = wv.fma(FloatVector.fromArray(S, x, xOff + n + i), a1);
            a2 = wv.fma(FloatVector.fromArray(S, x, xOff + 2 * n + i), a2);
            a3 = wv.fma(FloatVector.fromArray(S, x, xOff + 3 * n + i), a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float wi = w[i];
            s0 += wi * x[xOff + i];
            s1 += wi * x[xOff + n + i];
            s2 += wi * x[xOff + 2 * n + i];
            s3 += wi * x[xOff + 3 * n + i];
        }
        out[outOff] = s0;
        out[outOff + outStride] = s1;
        out[outOff + 2 * outStride] = s2;
        out[outOff + 3 * outStride] = s3;
    }
}
