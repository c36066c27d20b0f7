package dev.winnow.kv.codec;

import dev.winnow.tensor.FloatTensor;
import java.util.Arrays;

/**
 * Vectors as f32, row by row, 4 bytes per value: the values of f32 caches (the reference encoding;
 * their keys are {@link F32KeyStore}s), and f32 vectors wherever a store of either kind is needed
 * (residual windows, unmerged MiniCache layers' values).
 */
public final class F32Store extends TokenStore {
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
        FloatGroupKernels.accumulate(w, wOff, 0, 1, data, dim, null, 0, n, out, off);
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
        FloatGroupKernels.accumulate(w, wOff, 0, 1, data, dim, idx, 0, m, out, off);
    }

    @Override
    public void dotsGroup(float[] q, int qOff, int heads, int[] idx, int from, int to, float scale, float[] out,
                          int outOff, int stride) {
        FloatGroupKernels.dots(q, qOff, heads, data, dim, idx, from, to, scale, out, outOff, stride);
    }

    @Override
    public void accumulateGroup(float[] w, int wOff, int stride, int heads, int[] idx, int from, int to, float[] out,
                                int off) {
        FloatGroupKernels.accumulate(w, wOff, stride, heads, data, dim, idx, from, to, out, off);
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
