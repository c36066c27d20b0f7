package dev.winnow.kv.codec;

import dev.winnow.tensor.FloatTensor;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectors as f32, the reference encoding and the default: exactly the arithmetic of the plain
 * engine (uncompressed caches give bit-identical logits), 4 bytes per value.
 */
public final class F32Store extends TokenStore {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private float[] data;

    public F32Store(int dim) {
        super(dim);
        init();
    }

    @Override
    protected void allocate(int cap) {
        data = new float[cap * dim];
    }

    @Override
    protected void resize(int cap) {
        data = Arrays.copyOf(data, cap * dim);
    }

    @Override
    protected void encode(int i, float[] v, int off) {
        System.arraycopy(v, off, data, i * dim, dim);
    }

    @Override
    protected void move(int from, int to) {
        System.arraycopy(data, from * dim, data, to * dim, dim);
    }

    @Override
    public void get(int i, float[] out, int off) {
        System.arraycopy(data, check(i) * dim, out, off, dim);
    }

    @Override
    public void dots(float[] q, int qOff, int n, float scale, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = scale * FloatTensor.dot(q, qOff, data, i * dim, dim);
        }
    }

    @Override
    public void accumulate(float[] w, int wOff, int n, float[] out, int off) {
        int hs = dim;
        float[] values = data;
        if (hs % S.length() == 0) {
            for (int c = 0; c < hs; c += S.length()) {
                FloatVector acc = FloatVector.fromArray(S, out, off + c);
                for (int i = 0; i < n; i++) {
                    acc = FloatVector.fromArray(S, values, i * hs + c).fma(FloatVector.broadcast(S, w[wOff + i]), acc);
                }
                acc.intoArray(out, off + c);
            }
        } else {
            for (int i = 0; i < n; i++) {
                float wi = w[wOff + i];
                int base = i * hs;
                for (int c = 0; c < hs; c++) out[off + c] += wi * values[base + c];
            }
        }
    }

    @Override
    public void dotsAt(float[] q, int qOff, int[] idx, int m, float scale, float[] out, int outOff) {
        for (int j = 0; j < m; j++) {
            out[outOff + j] = scale * FloatTensor.dot(q, qOff, data, idx[j] * dim, dim);
        }
    }

    /** The same arithmetic as {@link #accumulate} over the listed vectors, in the listed order. */
    @Override
    public void accumulateAt(float[] w, int wOff, int[] idx, int m, float[] out, int off) {
        int hs = dim;
        float[] values = data;
        if (hs % S.length() == 0) {
            for (int c = 0; c < hs; c += S.length()) {
                FloatVector acc = FloatVector.fromArray(S, out, off + c);
                for (int j = 0; j < m; j++) {
                    acc = FloatVector.fromArray(S, values, idx[j] * hs + c).fma(FloatVector.broadcast(S, w[wOff + j]), acc);
                }
                acc.intoArray(out, off + c);
            }
        } else {
            for (int j = 0; j < m; j++) {
                float wj = w[wOff + j];
                int base = idx[j] * hs;
                for (int c = 0; c < hs; c++) out[off + c] += wj * values[base + c];
            }
        }
    }

    @Override
    public int bytesPerVector() {
        return dim * Float.BYTES;
    }

    @Override
    public String codec() {
        return "f32";
    }
}
