package dev.winnow.kv.codec;

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

    @Override
    public void dots(float[] q, int qOff, int n, float scale, float[] out, int outOff) {
        short[] d = data;
        for (int i = 0; i < n; i++) {
            int base = i * dim;
            float s = 0;
            if (brain) {
                for (int c = 0; c < dim; c++) s += q[qOff + c] * Half.bf16(d[base + c]);
            } else {
                for (int c = 0; c < dim; c++) s += q[qOff + c] * Half.f16(d[base + c]);
            }
            out[outOff + i] = scale * s;
        }
    }

    @Override
    public void accumulate(float[] w, int wOff, int n, float[] out, int off) {
        short[] d = data;
        for (int i = 0; i < n; i++) {
            float wi = w[wOff + i];
            int base = i * dim;
            if (brain) {
                for (int c = 0; c < dim; c++) out[off + c] += wi * Half.bf16(d[base + c]);
            } else {
                for (int c = 0; c < dim; c++) out[off + c] += wi * Half.f16(d[base + c]);
            }
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
