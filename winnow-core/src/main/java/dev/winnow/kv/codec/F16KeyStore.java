package dev.winnow.kv.codec;

import dev.winnow.tensor.FloatTensor;
import java.util.Arrays;

/**
 * Keys as f16 or bf16 in a channel-major layout ({@link KeyTiles}): entries in tiles of 16, and within a
 * tile channel {@code c} of its 16 entries side by side ({@code data[tile·16·dim + c·16 + lane]}).
 * A query's scores for 16 entries are then one vector of sums, {@code Σ_c q[c] × k_c}, built by
 * one fused multiply-add per channel with no sum across lanes — where the row-major
 * {@link F16Store} ends each entry's dot product with a 16-lane horizontal sum, which made f16
 * attention at depth compute-bound (issue 15).
 *
 * <p>Every path computes an entry's score the same way — {@code acc = fma(k_c, q_c, acc)} for
 * {@code c = 0 … dim−1} from zero, then {@code scale × acc} — whether the entry is named by range
 * or by index, read in a run of tiles or gathered, in a vector lane or by the scalar fallback, so
 * sparse attention at full budget equals full attention bit for bit. The values keep the
 * row-major {@link F16Store}, whose weighted sums need no horizontal sums.
 */
public final class F16KeyStore extends TokenStore {
    private static final int TILE = KeyTiles.TILE;
    /** List positions scored per pass: a few tiles, decoded to floats once for all heads (16 KiB at dim 64). */
    private static final int GROUP = KeyTiles.GROUP;

    private final boolean brain;
    private short[] data;

    /** @param brain true for bf16, false for f16 */
    public F16KeyStore(int dim, boolean brain) {
        super(dim);
        this.brain = brain;
        init();
    }

    private int shorts(int cap) {
        return (cap + TILE - 1) / TILE * TILE * dim;
    }

    @Override
    protected void allocate(int cap) {
        data = new short[shorts(cap)];
    }

    @Override
    protected void resize(int cap) {
        data = Arrays.copyOf(data, shorts(cap));
    }

    private int base(int i) {
        return KeyTiles.base(i, dim);
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

    private float decode(short h) {
        return brain ? Half.bf16(h) : Half.f16(h);
    }

    @Override
    protected void move(int from, int to) {
        int f = base(from), t = base(to);
        for (int c = 0; c < dim; c++) data[t + c * TILE] = data[f + c * TILE];
    }

    @Override
    public void get(int i, float[] out, int off) {
        int b = base(check(i));
        for (int c = 0; c < dim; c++) out[off + c] = decode(data[b + c * TILE]);
    }

    @Override
    public void dots(float[] q, int qOff, int n, float scale, float[] out, int outOff) {
        dotsGroup(q, qOff, 1, null, 0, n, scale, out, outOff, 0);
    }

    @Override
    public void dotsAt(float[] q, int qOff, int[] idx, int m, float scale, float[] out, int outOff) {
        dotsGroup(q, qOff, 1, idx, 0, m, scale, out, outOff, 0);
    }

    /** Per 64 list positions: their tiles decoded to floats once, then each head's scores. */
    @Override
    public void dotsGroup(float[] q, int qOff, int heads, int[] idx, int from, int to, float scale, float[] out,
                          int outOff, int stride) {
        float[] k = KeyTiles.tiles(GROUP * dim), res = KeyTiles.results();
        for (int j0 = from; j0 < to; j0 += GROUP) {
            int n = Math.min(GROUP, to - j0), tiles = (n + TILE - 1) / TILE;
            load(idx, j0, n, k);
            for (int h = 0; h < heads; h++) {
                KeyTiles.score(k, 0, tiles, dim, q, qOff + h * dim, scale, res);
                System.arraycopy(res, 0, out, outOff + h * stride + j0 - from, n);
            }
        }
    }

    /**
     * The entries at list positions {@code j0 … j0+n−1} as float tiles in {@code k}: position
     * {@code p} at tile {@code p / 16}, lane {@code p % 16}. Whole tiles of the store are converted
     * with one flat loop (C2 makes it vcvtph2ps); other entries are gathered, and unused lanes are 0.
     */
    private void load(int[] idx, int j0, int n, float[] k) {
        int tileFloats = TILE * dim;
        if (idx == null && j0 % TILE == 0) {
            convert(j0 / TILE * tileFloats, (n + TILE - 1) / TILE * tileFloats, k, 0);
            return;
        }
        for (int p0 = 0; p0 < n; p0 += TILE) {
            int count = Math.min(TILE, n - p0), t = p0 / TILE * tileFloats;
            int first = idx == null ? j0 + p0 : idx[j0 + p0];
            if (count == TILE && first % TILE == 0 && KeyTiles.run(idx, j0 + p0, first)) {
                check(first + TILE - 1);
                convert(first / TILE * tileFloats, tileFloats, k, t);
                continue;
            }
            if (count < TILE) Arrays.fill(k, t, t + tileFloats, 0f);
            for (int p = 0; p < count; p++) {
                int b = base(check(idx == null ? j0 + p0 + p : idx[j0 + p0 + p]));
                for (int c = 0; c < dim; c++) k[t + c * TILE + p] = decode(data[b + c * TILE]);
            }
        }
    }

    private void convert(int from, int len, float[] out, int outOff) {
        short[] d = data;
        if (brain) {
            for (int c = 0; c < len; c++) out[outOff + c] = Float.intBitsToFloat((d[from + c] & 0xFFFF) << 16);
        } else {
            for (int c = 0; c < len; c++) out[outOff + c] = Float.float16ToFloat(d[from + c]);
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
        return dim * 2;
    }

    @Override
    public String codec() {
        return brain ? "bf16" : "f16";
    }
}
