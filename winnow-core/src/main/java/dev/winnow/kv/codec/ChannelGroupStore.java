package dev.winnow.kv.codec;

import java.util.Arrays;

/**
 * KIVI's key quantization: vectors are quantized in groups of consecutive tokens, per channel:
 * each group holds, for every channel c, an f16 scale s_c and an f16 minimum z_c over the
 * group's tokens, and each token one {@code bits}-bit code per channel; x_{t,c} = z_c + s_c·q_{t,c}
 * (|error| ≤ s_c/2). Keys have outlier channels, so sharing parameters along a channel (not
 * along a token) keeps their error small.
 *
 * <p>Attention per group: q·k_t = Σ_c (q_c s_c) q_{t,c} + Σ_c q_c z_c — the products
 * q_c s_c and the constant are computed once per group and query. Eviction removes a token's
 * codes from its group (the group keeps its parameters); a group left empty is dropped.
 */
public final class ChannelGroupStore implements VectorStore {
    /** f16 scale + f16 minimum per channel and group (plus one int per group: its token count). */
    static final int GROUP_HEADER_BYTES_PER_CHANNEL = 4;
    private final int dim;
    private final int bits;
    private final int levels;
    private final int nominalGroup;
    /** Bytes of one token's codes; channel j shares byte j % stride with j + stride, j + 2·stride, … */
    private final int tokenBytes;
    private final int stride;
    private final String name;
    private byte[] codes = new byte[0];
    private short[] scales = new short[0];
    private short[] mins = new short[0];
    private int[] counts = new int[0];
    private int groups;
    private int size;

    /**
     * @param group the tokens per group when full (for the nominal size; {@link #appendAll} makes the groups)
     */
    public ChannelGroupStore(int dim, int bits, int group, String name) {
        if (bits != 2 && bits != 4) throw new IllegalArgumentException("bits=" + bits + ": 2 or 4");
        this.dim = dim;
        this.bits = bits;
        this.levels = (1 << bits) - 1;
        this.nominalGroup = group;
        this.name = name;
        Blocks.checkPacking(dim, bits, name, "a key");
        this.tokenBytes = dim * bits / 8;
        this.stride = tokenBytes;
        clear();
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public int size() {
        return size;
    }

    public int groups() {
        return groups;
    }

    /** Tokens in group {@code g}. */
    public int groupSize(int g) {
        return counts[g];
    }

    @Override
    public void clear() {
        codes = new byte[16 * tokenBytes];
        scales = new short[4 * dim];
        mins = new short[4 * dim];
        counts = new int[4];
        groups = 0;
        size = 0;
    }

    @Override
    public void reserve(int additional) {
        ensureTokens(size + additional);
    }

    private void ensureTokens(int n) {
        if (n * tokenBytes > codes.length) codes = Arrays.copyOf(codes, Math.max(n, 2 * codes.length / tokenBytes) * tokenBytes);
    }

    private void ensureGroups(int g) {
        if (g > counts.length) {
            int cap = Math.max(g, counts.length * 2);
            counts = Arrays.copyOf(counts, cap);
            scales = Arrays.copyOf(scales, cap * dim);
            mins = Arrays.copyOf(mins, cap * dim);
        }
    }

    @Override
    public void append(float[] v, int off) {
        appendAll(v, off, 1);
    }

    /** Quantizes {@code count} consecutive vectors as one new group. */
    @Override
    public void appendAll(float[] v, int off, int count) {
        if (count < 1) return;
        ensureTokens(size + count);
        ensureGroups(groups + 1);
        encodeGroup(groups, size, v, off, count);
        counts[groups++] = count;
        size += count;
    }

    /** Computes group {@code g}'s parameters from the vectors and writes the codes of its tokens at token {@code first}. */
    private void encodeGroup(int g, int first, float[] v, int off, int count) {
        for (int c = 0; c < dim; c++) {
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (int t = 0; t < count; t++) {
                float x = v[off + t * dim + c];
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
            Half.checkRange(lo, name);
            Half.checkRange(hi, name);
            short mh = Half.down(lo);
            mins[g * dim + c] = mh;
            scales[g * dim + c] = Half.up((hi - Half.f16(mh)) / levels);
        }
        Arrays.fill(codes, first * tokenBytes, (first + count) * tokenBytes, (byte) 0);
        for (int t = 0; t < count; t++) {
            int base = (first + t) * tokenBytes;
            for (int c = 0; c < dim; c++) {
                float d = Half.f16(scales[g * dim + c]), m = Half.f16(mins[g * dim + c]);
                int q = d == 0 ? 0 : Math.max(0, Math.min(levels, Math.round((v[off + t * dim + c] - m) / d)));
                codes[base + c % stride] |= (byte) (q << (bits * (c / stride)));
            }
        }
    }

    private int code(int token, int c) {
        return (codes[token * tokenBytes + c % stride] >> (bits * (c / stride))) & levels;
    }

    /** The scale of channel {@code c} in group {@code g}. */
    public float scale(int g, int c) {
        return Half.f16(scales[g * dim + c]);
    }

    /** The group holding token {@code i} and the group's first token: {@code {group, first}}. */
    private int[] locate(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("vector " + i + " of " + size);
        int first = 0;
        for (int g = 0; g < groups; g++) {
            if (i < first + counts[g]) return new int[] {g, first};
            first += counts[g];
        }
        throw new IllegalStateException("group counts do not add up to " + size);
    }

    @Override
    public void get(int i, float[] out, int off) {
        int g = locate(i)[0];
        for (int c = 0; c < dim; c++) out[off + c] = Half.f16(mins[g * dim + c]) + Half.f16(scales[g * dim + c]) * code(i, c);
    }

    /** Replaces a token: its group is decoded, the token replaced and the group re-quantized. */
    @Override
    public void set(int i, float[] v, int off) {
        int[] gf = locate(i);
        int g = gf[0], first = gf[1], count = counts[g];
        float[] tmp = new float[count * dim];
        for (int t = 0; t < count; t++) get(first + t, tmp, t * dim);
        System.arraycopy(v, off, tmp, (i - first) * dim, dim);
        encodeGroup(g, first, tmp, 0, count);
    }

    @Override
    public void dots(float[] q, int qOff, int n, float scale, float[] out, int outOff) {
        float[] qs = new float[dim];
        byte[] cd = codes;
        int st = stride;
        int t = 0;
        for (int g = 0; g < groups && t < n; g++) {
            float qz = 0;
            for (int c = 0; c < dim; c++) {
                qs[c] = q[qOff + c] * Half.f16(scales[g * dim + c]);
                qz += q[qOff + c] * Half.f16(mins[g * dim + c]);
            }
            int end = Math.min(n, t + counts[g]);
            for (; t < end; t++) {
                int base = t * tokenBytes;
                float s = 0;
                if (bits == 4) {
                    for (int j = 0; j < st; j++) {
                        int v = cd[base + j];
                        s += qs[j] * (v & 15) + qs[j + st] * ((v >> 4) & 15);
                    }
                } else {
                    for (int j = 0; j < st; j++) {
                        int v = cd[base + j];
                        s += qs[j] * (v & 3) + qs[j + st] * ((v >> 2) & 3) + qs[j + 2 * st] * ((v >> 4) & 3)
                                + qs[j + 3 * st] * ((v >> 6) & 3);
                    }
                }
                out[outOff + t] = scale * (s + qz);
            }
        }
    }

    @Override
    public void accumulate(float[] w, int wOff, int n, float[] out, int off) {
        float[] acc = new float[dim];
        byte[] cd = codes;
        int st = stride;
        int t = 0;
        for (int g = 0; g < groups && t < n; g++) {
            Arrays.fill(acc, 0f);
            float wsum = 0;
            int end = Math.min(n, t + counts[g]);
            for (; t < end; t++) {
                float wt = w[wOff + t];
                wsum += wt;
                int base = t * tokenBytes;
                for (int j = 0; j < st; j++) {
                    int v = cd[base + j];
                    for (int k = 0; k < 8 / bits; k++) acc[j + k * st] += wt * ((v >> (bits * k)) & levels);
                }
            }
            for (int c = 0; c < dim; c++) {
                out[off + c] += Half.f16(scales[g * dim + c]) * acc[c] + Half.f16(mins[g * dim + c]) * wsum;
            }
        }
    }

    @Override
    public void retain(int[] keep) {
        int[] newCounts = new int[groups];
        int g = 0, first = 0;
        for (int j = 0; j < keep.length; j++) {
            int i = keep[j];
            while (i >= first + counts[g]) first += counts[g++];
            newCounts[g]++;
            if (i != j) System.arraycopy(codes, i * tokenBytes, codes, j * tokenBytes, tokenBytes);
        }
        int kept = 0;
        for (int k = 0; k < groups; k++) {
            if (newCounts[k] == 0) continue;
            if (k != kept) {
                System.arraycopy(scales, k * dim, scales, kept * dim, dim);
                System.arraycopy(mins, k * dim, mins, kept * dim, dim);
            }
            counts[kept++] = newCounts[k];
        }
        groups = kept;
        size = keep.length;
        int tokenCap = codes.length / tokenBytes;
        if (tokenCap > 16 && size < tokenCap / 4) codes = Arrays.copyOf(codes, Math.max(16, size * 2) * tokenBytes);
        if (counts.length > 4 && groups < counts.length / 4) {
            int cap = Math.max(4, groups * 2);
            counts = Arrays.copyOf(counts, cap);
            scales = Arrays.copyOf(scales, cap * dim);
            mins = Arrays.copyOf(mins, cap * dim);
        }
    }

    @Override
    public long bytesUsed() {
        return (long) size * tokenBytes + (long) groups * GROUP_HEADER_BYTES_PER_CHANNEL * dim + (long) groups * Integer.BYTES;
    }

    @Override
    public long bytesAllocated() {
        return codes.length + (long) counts.length * (GROUP_HEADER_BYTES_PER_CHANNEL * dim + Integer.BYTES);
    }

    @Override
    public int bytesPerVector() {
        return tokenBytes + (GROUP_HEADER_BYTES_PER_CHANNEL * dim + Integer.BYTES + nominalGroup - 1) / nominalGroup;
    }

    @Override
    public String codec() {
        return name;
    }
}
