package dev.winnow.kv.codec;

import dev.winnow.tensor.FloatTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The grouped attention kernels over float vectors ({@code dim} floats per entry in one array),
 * shared by {@link F32Store} (its own array) and {@link F16Store} (a block decoded to floats):
 * scores of several query heads per entry read, and several heads' weighted sums. An entry's
 * arithmetic is the same whether it is named by index or by range.
 */
final class FloatGroupKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private FloatGroupKernels() {
    }

    /**
     * {@code out[outOff + h·stride + j − from] = scale × (q_h · x_e)}, {@code e = idx[j]} or {@code j};
     * each entry is read once for all heads (the heads' dots then come from L1).
     */
    static void dots(float[] q, int qOff, int heads, float[] x, int dim, int[] idx, int from, int to, float scale,
                     float[] out, int outOff, int stride) {
        for (int j = from; j < to; j++) {
            int base = (idx == null ? j : idx[j]) * dim;
            int o = outOff + j - from;
            for (int h = 0; h < heads; h++) {
                out[o + h * stride] = scale * FloatTensor.dot(q, qOff + h * dim, x, base, dim);
            }
        }
    }

    /**
     * {@code out[off + h·dim…] += Σ_j w[wOff + h·stride + j − from] × x_e} in list order: per head and
     * lane block one chain of fused multiply-adds over the entries.
     */
    static void accumulate(float[] w, int wOff, int stride, int heads, float[] x, int dim, int[] idx, int from, int to,
                           float[] out, int off) {
        int lanes = S.length();
        if (dim % (4 * lanes) == 0) {
            // four lane blocks at once: four independent chains of fused multiply-adds (one chain
            // waits on the latency of each FMA); each block's chain is the same as below
            for (int h = 0; h < heads; h++) {
                int wh = wOff + h * stride - from, oh = off + h * dim;
                for (int c = 0; c < dim; c += 4 * lanes) {
                    FloatVector a0 = FloatVector.fromArray(S, out, oh + c);
                    FloatVector a1 = FloatVector.fromArray(S, out, oh + c + lanes);
                    FloatVector a2 = FloatVector.fromArray(S, out, oh + c + 2 * lanes);
                    FloatVector a3 = FloatVector.fromArray(S, out, oh + c + 3 * lanes);
                    for (int j = from; j < to; j++) {
                        int base = (idx == null ? j : idx[j]) * dim + c;
                        FloatVector wj = FloatVector.broadcast(S, w[wh + j]);
                        a0 = FloatVector.fromArray(S, x, base).fma(wj, a0);
                        a1 = FloatVector.fromArray(S, x, base + lanes).fma(wj, a1);
                        a2 = FloatVector.fromArray(S, x, base + 2 * lanes).fma(wj, a2);
                        a3 = FloatVector.fromArray(S, x, base + 3 * lanes).fma(wj, a3);
                    }
                    a0.intoArray(out, oh + c);
                    a1.intoArray(out, oh + c + lanes);
                    a2.intoArray(out, oh + c + 2 * lanes);
                    a3.intoArray(out, oh + c + 3 * lanes);
                }
            }
        } else if (dim % lanes == 0) {
            for (int h = 0; h < heads; h++) {
                int wh = wOff + h * stride - from, oh = off + h * dim;
                for (int c = 0; c < dim; c += S.length()) {
                    FloatVector acc = FloatVector.fromArray(S, out, oh + c);
                    for (int j = from; j < to; j++) {
                        int base = (idx == null ? j : idx[j]) * dim;
                        acc = FloatVector.fromArray(S, x, base + c).fma(FloatVector.broadcast(S, w[wh + j]), acc);
                    }
                    acc.intoArray(out, oh + c);
                }
            }
        } else {
            for (int h = 0; h < heads; h++) {
                int wh = wOff + h * stride - from, oh = off + h * dim;
                for (int j = from; j < to; j++) {
                    float wj = w[wh + j];
                    int base = (idx == null ? j : idx[j]) * dim;
                    for (int c = 0; c < dim; c++) out[oh + c] += wj * x[base + c];
                }
            }
        }
    }
}
