package dev.winnow.kv.codec;

import dev.winnow.tensor.FloatTensor;
import java.util.Arrays;

/**
 * The shared machinery of the channel-major key stores ({@link F32KeyStore}, {@link F16KeyStore}):
 * entries in tiles of {@link KeyTiles#TILE}, channel {@code c} of a tile's entries side by side
 * (element {@code tile·16·dim + c·16 + lane}); capacity in whole tiles; scores per 64 list
 * positions through {@link KeyTiles#score}, every path with the same bits. A subclass holds the
 * elements in its encoding and says how to read them as floats.
 */
abstract class TiledKeyStore extends TokenStore {
    static final int TILE = KeyTiles.TILE;
    private static final int GROUP = KeyTiles.GROUP;

    TiledKeyStore(int dim) {
        super(dim);
    }

    /** Elements for {@code cap} entries: whole tiles. */
    final int elements(int cap) {
        return (cap + TILE - 1) / TILE * TILE * dim;
    }

    /** Element of entry {@code i}'s channel 0; channel {@code c} is {@code TILE·c} further. */
    final int base(int i) {
        return KeyTiles.base(i, dim);
    }

    /** Elements {@code [from, from + len)} as floats into {@code out[outOff…]}. */
    protected abstract void decode(int from, int len, float[] out, int outOff);

    /** Element {@code at} as a float. */
    protected abstract float element(int at);

    /** The float elements themselves when they can be scored in place (f32), else null. */
    protected float[] floats() {
        return null;
    }

    @Override
    public void get(int i, float[] out, int off) {
        int b = base(check(i));
        for (int c = 0; c < dim; c++) out[off + c] = element(b + c * TILE);
    }

    @Override
    public final void dots(float[] q, int qOff, int n, float scale, float[] out, int outOff) {
        dotsGroup(q, qOff, 1, null, 0, n, scale, out, outOff, 0);
    }

    @Override
    public final void dotsAt(float[] q, int qOff, int[] idx, int m, float scale, float[] out, int outOff) {
        dotsGroup(q, qOff, 1, idx, 0, m, scale, out, outOff, 0);
    }

    /**
     * Per 64 list positions: their tiles as floats once (f32 tiles of a range read in place,
     * anything else decoded or gathered into this thread's buffer), then each head's scores.
     */
    @Override
    public final void dotsGroup(float[] q, int qOff, int heads, int[] idx, int from, int to, float scale, float[] out,
                                int outOff, int stride) {
        float[] res = KeyTiles.results(), own = floats(), buf = null;
        int tileFloats = TILE * dim;
        for (int j0 = from; j0 < to; j0 += GROUP) {
            int n = Math.min(GROUP, to - j0), tiles = (n + TILE - 1) / TILE;
            float[] k;
            int kOff;
            if (own != null && idx == null && j0 % TILE == 0) {
                k = own;
                kOff = j0 / TILE * tileFloats;
            } else {
                if (buf == null) buf = KeyTiles.tiles(GROUP * dim);
                load(idx, j0, n, buf);
                k = buf;
                kOff = 0;
            }
            for (int h = 0; h < heads; h++) {
                KeyTiles.score(k, kOff, tiles, dim, q, qOff + h * dim, scale, res);
                System.arraycopy(res, 0, out, outOff + h * stride + j0 - from, n);
            }
        }
    }

    /**
     * The entries at list positions {@code j0 … j0+n−1} as float tiles in {@code k}: position
     * {@code p} at tile {@code p / 16}, lane {@code p % 16}. Whole tiles of the store (a tile-aligned
     * range, or 16 listed entries that are one aligned run, such as a Quest page) are decoded with
     * one flat loop; other entries are gathered one by one, and unused lanes are 0.
     */
    private void load(int[] idx, int j0, int n, float[] k) {
        int tileFloats = TILE * dim;
        if (idx == null && j0 % TILE == 0) {
            decode(j0 / TILE * tileFloats, (n + TILE - 1) / TILE * tileFloats, k, 0);
            return;
        }
        for (int p0 = 0; p0 < n; p0 += TILE) {
            int count = Math.min(TILE, n - p0), t = p0 / TILE * tileFloats;
            int first = idx == null ? j0 + p0 : idx[j0 + p0];
            if (count == TILE && first % TILE == 0 && KeyTiles.run(idx, j0 + p0, first)) {
                check(first + TILE - 1);
                decode(first / TILE * tileFloats, tileFloats, k, t);
                continue;
            }
            if (count < TILE) Arrays.fill(k, t, t + tileFloats, 0f);
            for (int p = 0; p < count; p++) {
                int b = base(check(idx == null ? j0 + p0 + p : idx[j0 + p0 + p]));
                for (int c = 0; c < dim; c++) k[t + c * TILE + p] = element(b + c * TILE);
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
}
