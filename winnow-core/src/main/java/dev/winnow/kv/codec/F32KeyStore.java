package dev.winnow.kv.codec;

import dev.winnow.tensor.FloatTensor;
import java.util.Arrays;

/**
 * Keys as f32 in the channel-major layout of {@link KeyTiles} (tiles of 16 entries, a channel's 16
 * values side by side): a range of whole tiles is scored straight from the array, listed entries
 * are gathered into tiles first; either way an entry's score has the same bits (see
 * {@link KeyTiles}). Values stay in the row-major {@link F32Store}.
 */
public final class F32KeyStore extends TokenStore {
    private static final int TILE = KeyTiles.TILE;
    private static final int GROUP = KeyTiles.GROUP;

    private float[] data;

    public F32KeyStore(int dim) {
        super(dim);
        init();
    }

    private int floats(int cap) {
        return (cap + TILE - 1) / TILE * TILE * dim;
    }

    @Override
    protected void allocate(int cap) {
        data = new float[floats(cap)];
    }

    @Override
    protected void resize(int cap) {
        data = Arrays.copyOf(data, floats(cap));
    }

    private int base(int i) {
        return KeyTiles.base(i, dim);
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
    public void get(int i, float[] out, int off) {
        int b = base(check(i));
        for (int c = 0; c < dim; c++) out[off + c] = data[b + c * TILE];
    }

    @Override
    public void dots(float[] q, int qOff, int n, float scale, float[] out, int outOff) {
        dotsGroup(q, qOff, 1, null, 0, n, scale, out, outOff, 0);
    }

    @Override
    public void dotsAt(float[] q, int qOff, int[] idx, int m, float scale, float[] out, int outOff) {
        dotsGroup(q, qOff, 1, idx, 0, m, scale, out, outOff, 0);
    }

    /** Per 64 list positions: whole tiles of a range read in place, anything else gathered; then each head's scores. */
    @Override
    public void dotsGroup(float[] q, int qOff, int heads, int[] idx, int from, int to, float scale, float[] out,
                          int outOff, int stride) {
        float[] res = KeyTiles.results();
        float[] k = null;
        int tileFloats = TILE * dim;
        for (int j0 = from; j0 < to; j0 += GROUP) {
            int n = Math.min(GROUP, to - j0), tiles = (n + TILE - 1) / TILE;
            float[] src;
            int srcOff;
            if (idx == null && j0 % TILE == 0) {
                src = data;
                srcOff = j0 / TILE * tileFloats;
            } else {
                if (k == null) k = KeyTiles.tiles(GROUP * dim);
                gather(idx, j0, n, k);
                src = k;
                srcOff = 0;
            }
            for (int h = 0; h < heads; h++) {
                KeyTiles.score(src, srcOff, tiles, dim, q, qOff + h * dim, scale, res);
                System.arraycopy(res, 0, out, outOff + h * stride + j0 - from, n);
            }
        }
    }

    /** List positions {@code j0 … j0+n−1} into tiles of {@code k}; aligned runs of 16 are copied whole, unused lanes are 0. */
    private void gather(int[] idx, int j0, int n, float[] k) {
        int tileFloats = TILE * dim;
        for (int p0 = 0; p0 < n; p0 += TILE) {
            int count = Math.min(TILE, n - p0), t = p0 / TILE * tileFloats;
            int first = idx == null ? j0 + p0 : idx[j0 + p0];
            if (count == TILE && first % TILE == 0 && KeyTiles.run(idx, j0 + p0, first)) {
                check(first + TILE - 1);
                System.arraycopy(data, first / TILE * tileFloats, k, t, tileFloats);
                continue;
            }
            if (count < TILE) Arrays.fill(k, t, t + tileFloats, 0f);
            for (int p = 0; p < count; p++) {
                int b = base(check(idx == null ? j0 + p0 + p : idx[j0 + p0 + p]));
                for (int c = 0; c < dim; c++) k[t + c * TILE + p] = data[b + c * TILE];
            }
        }
    }

    /** Keys are not summed by attention; this reads each vector through {@link #get}. */
    @Override
    public void accumulate(float[] w, int wOff, int n, float[] out, int off) {
        float[] v = new float[dim];
        for (int i = 0; i < n; i++) {
            get(i, v, 0);
            FloatTensor.axpy(w[wOff + i], v, 0, out, off, dim);
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
