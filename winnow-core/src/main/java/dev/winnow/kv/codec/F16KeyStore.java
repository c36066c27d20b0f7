package dev.winnow.kv.codec;

import java.util.Arrays;

/**
 * Keys as f16 or bf16 in the channel-major layout of {@link TiledKeyStore}: tiles of 16 entries,
 * channel {@code c} of a tile's entries side by side. A query's scores for 16 entries are then one
 * vector of sums built by one fused multiply-add per channel with no sum across lanes — where the
 * row-major {@link F16Store} ended each entry's dot product with a 16-lane horizontal sum, which
 * made f16 attention at depth compute-bound (issue 15). Tiles are converted to floats four at a
 * time (one flat loop, which C2 makes vcvtph2ps) for all heads of a group. The values keep the
 * row-major {@link F16Store}, whose weighted sums need no horizontal sums.
 */
public final class F16KeyStore extends TiledKeyStore {
    private final boolean brain;
    private short[] data;

    /** @param brain true for bf16, false for f16 */
    public F16KeyStore(int dim, boolean brain) {
        super(dim);
        this.brain = brain;
        init();
    }

    @Override
    protected void allocate(int cap) {
        data = new short[elements(cap)];
    }

    @Override
    protected void resize(int cap) {
        data = Arrays.copyOf(data, elements(cap));
    }

    @Override
    protected void encode(int i, float[] v, int off) {
        int b = base(i);
        if (brain) {
            for (int c = 0; c < dim; c++) data[b + c * TILE] = Half.toBf16(v[off + c]);
        } else {
            for (int c = 0; c < dim; c++) data[b + c * TILE] = Half.toF16(v[off + c]);
        }
    }

    @Override
    protected void move(int from, int to) {
        int f = base(from), t = base(to);
        for (int c = 0; c < dim; c++) data[t + c * TILE] = data[f + c * TILE];
    }

    @Override
    protected void decode(int from, int len, float[] out, int outOff) {
        Half.toFloats(data, from, len, brain, out, outOff);
    }

    @Override
    protected float element(int at) {
        return brain ? Half.bf16(data[at]) : Half.f16(data[at]);
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
