package dev.winnow.kv.codec;

import java.util.Arrays;

/**
 * Keys as f32 in the channel-major layout of {@link TiledKeyStore} (tiles of 16 entries, a
 * channel's 16 values side by side): a range of whole tiles is scored straight from the array,
 * listed entries are gathered into tiles first; either way an entry's score has the same bits
 * (see {@link KeyTiles}). Values stay in the row-major {@link F32Store}.
 */
public final class F32KeyStore extends TiledKeyStore {
    private float[] data;

    public F32KeyStore(int dim) {
        super(dim);
        init();
    }

    @Override
    protected void allocate(int cap) {
        data = new float[elements(cap)];
    }

    @Override
    protected void resize(int cap) {
        data = Arrays.copyOf(data, elements(cap));
    }

    @Override
    protected void encode(int i, float[] v, int off) {
        int b = base(i);
        for (int c = 0; c < dim; c++) data[b + c * TILE] = v[off + c];
    }

    @Override
    protected void move(int from, int to) {
        int f = base(from), t = base(to);
        for (int c = 0; c < dim; c++) data[t + c * TILE] = data[f + c * TILE];
    }

    @Override
    protected void decode(int from, int len, float[] out, int outOff) {
        System.arraycopy(data, from, out, outOff, len);
    }

    @Override
    protected float element(int at) {
        return data[at];
    }

    @Override
    protected float[] floats() {
        return data;
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
