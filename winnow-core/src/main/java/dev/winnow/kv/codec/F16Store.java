package dev.winnow.kv.codec;

import dev.winnow.tensor.FloatTensor;
import java.util.Arrays;

/** Vectors as f16 (IEEE half) or bf16 (brain float), 2 bytes per value; attention converts on the fly. */
public final class F16Store extends TokenStore {
    private final boolean brain;
    private short[] data;

    /** @param brain true for bf16, false for f16 */
    public F16Store(int dim, boolean brain) {
        super(dim);
        this.brain = brain;
        init();
    }

    @Override
    protected void allocate(int cap) {
        data = new short[cap * dim];
    }

    @Override
    protected void resize(int cap) {
        data = Arrays.copyOf(data, cap * dim);
    }

    @Override
    protected void encode(int i, float[] v, int off) {
        int base = i * dim;
        if (brain) {
            for (int c = 0; c < dim; c++) data[base + c] = Half.toBf16(v[off + c]);
        } else {
            for (int c = 0; c < dim; c++) data[base + c] = Half.toF16(v[off + c]);
        }
    }

    private float decode(short h) {
        return brain ? Half.bf16(h) : Half.f16(h);
    }

    @Override
    protected void move(int from, int to) {
        System.arraycopy(data, from * dim, data, to * dim, dim);
    }

    @Override
    public void get(int i, float[] out, int off) {
        int base = check(i) * dim;
        for (int c = 0; c < dim; c++) out[off + c] = decode(data[base + c]);
    }

    /** Entries decoded together: one flat conversion loop of CHUNK × dim values. */
    private static final int CHUNK = 64;
    /** Each reading thread's decode buffer, reused: attention calls dots and accumulate per head and step. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] scratch(int length) {
        float[] v = SCRATCH.get();
        if (v.length < length) {
            v = new float[length];
            SCRATCH.set(v);
        }
        return v;
    }

    /**
     * Decodes {@code count} consecutive vectors from entry {@code first} into {@code out} with one
     * flat loop, which C2 compiles to vector conversions (vcvtph2ps for f16, shifts for bf16);
     * attention then runs the float kernels on them. (Multiplying inside the conversion loop
     * made it a scalar float reduction; a loop per vector was too short to pay.)
     */
    private void decodeInto(int first, int count, float[] out) {
        decodeInto(first, count, out, 0);
    }

    private void decodeInto(int first, int count, float[] out, int outOff) {
        Half.toFloats(data, first * dim, count * dim, brain, out, outOff);
    }

    @Override
    public void dots(float[] q, int qOff, int n, float scale, float[] out, int outOff) {
        float[] v = scratch(Math.min(n, CHUNK) * dim);
        for (int i0 = 0; i0 < n; i0 += CHUNK) {
            int count = Math.min(CHUNK, n - i0);
            decodeInto(i0, count, v);
            for (int k = 0; k < count; k++) out[outOff + i0 + k] = scale * FloatTensor.dot(q, qOff, v, k * dim, dim);
        }
    }

    @Override
    public void dotsAt(float[] q, int qOff, int[] idx, int m, float scale, float[] out, int outOff) {
        float[] v = scratch(dim);
        for (int j = 0; j < m; j++) {
            decodeInto(check(idx[j]), 1, v);
            out[outOff + j] = scale * FloatTensor.dot(q, qOff, v, 0, dim);
        }
    }

    @Override
    public void accumulate(float[] w, int wOff, int n, float[] out, int off) {
        float[] v = scratch(Math.min(n, CHUNK) * dim);
        for (int i0 = 0; i0 < n; i0 += CHUNK) {
            int count = Math.min(CHUNK, n - i0);
            decodeInto(i0, count, v);
            for (int k = 0; k < count; k++) FloatTensor.axpy(w[wOff + i0 + k], v, k * dim, out, off, dim);
        }
    }

    @Override
    public void accumulateAt(float[] w, int wOff, int[] idx, int m, float[] out, int off) {
        float[] v = scratch(dim);
        for (int j = 0; j < m; j++) {
            decodeInto(check(idx[j]), 1, v);
            FloatTensor.axpy(w[wOff + j], v, 0, out, off, dim);
        }
    }

    /**
     * Decodes entries {@code from ≤ j < to} of the list (or the range) into {@code out}: a range with
     * the flat loop, listed entries one by one; the floats are the same either way.
     */
    private void decodeList(int[] idx, int from, int to, float[] out) {
        if (idx == null) {
            decodeInto(from, to - from, out, 0);
        } else {
            for (int j = from; j < to; j++) decodeInto(check(idx[j]), 1, out, (j - from) * dim);
        }
    }

    /** Decodes {@link #CHUNK} entries at a time, then the float kernels serve every head of the group. */
    @Override
    public void dotsGroup(float[] q, int qOff, int heads, int[] idx, int from, int to, float scale, float[] out,
                          int outOff, int stride) {
        float[] v = scratch(Math.min(to - from, CHUNK) * dim);
        for (int j0 = from; j0 < to; j0 += CHUNK) {
            int j1 = Math.min(to, j0 + CHUNK);
            decodeList(idx, j0, j1, v);
            FloatGroupKernels.dots(q, qOff, heads, v, dim, null, 0, j1 - j0, scale, out, outOff + j0 - from, stride);
        }
    }

    @Override
    public void accumulateGroup(float[] w, int wOff, int stride, int heads, int[] idx, int from, int to, float[] out,
                                int off) {
        float[] v = scratch(Math.min(to - from, CHUNK) * dim);
        for (int j0 = from; j0 < to; j0 += CHUNK) {
            int j1 = Math.min(to, j0 + CHUNK);
            decodeList(idx, j0, j1, v);
            FloatGroupKernels.accumulate(w, wOff + j0 - from, stride, heads, v, dim, null, 0, j1 - j0, out, off);
        }
    }

    @Override
    public int bytesPerVector() {
        return dim * 2;
    }

    @Override
    public String codec() {
        return brain ? "bf16" : "f16";
    }
}
