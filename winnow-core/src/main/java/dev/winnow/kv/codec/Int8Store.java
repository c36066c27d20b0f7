package dev.winnow.kv.codec;

import dev.winnow.tensor.FloatTensor;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectors in GGUF Q8_0 blocks: each block of {@code block} values (32, or the whole vector when
 * the head is smaller) holds an f16 scale {@code d} and one signed byte per value; value =
 * d × q with d = max|x| / 127 (rounded up to f16, so |x − d·q| ≤ d/2). 34 bytes per 32 values.
 * Attention works on the bytes: q·k = Σ_blocks d · Σ q_j·k_j; Σ p·v adds p·d·q.
 *
 * <p>With {@code smooth} (the default for keys) the store first divides each channel by a
 * per-channel scale s_c fixed from the first vector appended, x_c = s_c · d · q_c, and folds s
 * into the query at attention time: q·k = Σ_blocks d · Σ (q_j s_j)·c_j, the same kernel. Keys
 * carry outlier channels (per head, stable over tokens) that otherwise set every token's block
 * scale and leave the small channels few levels; s_c = √(|x_c| / max|x|) of the first vector,
 * clamped to [1/2, 1] (SmoothQuant's migration strength ½, at most 2:1 between channels, so a
 * poorly chosen s at most doubles any channel's error bound d/2). The scale vector is part of
 * the store (4 bytes per channel, reported as {@code int8-channels}).
 */
public final class Int8Store extends TokenStore {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));
    /** The smallest channel scale relative to the largest: at most 2:1 between channels. */
    static final float MIN_CHANNEL_SCALE = 0.5f;
    private final int block;
    private final int blocks;
    private final boolean smooth;
    private byte[] codes;
    private short[] scales;
    /** The channel scales s (fixed at the first append) and their inverses; null until then or without smoothing. */
    private float[] channel;
    private float[] inverse;

    /** Plain Q8_0 blocks (no channel smoothing). */
    public Int8Store(int dim, int block) {
        this(dim, block, false);
    }

    public Int8Store(int dim, int block, boolean smooth) {
        super(dim);
        this.block = Blocks.check(dim, block, "int8");
        this.blocks = dim / this.block;
        this.smooth = smooth;
        init();
    }

    public int block() {
        return block;
    }

    public boolean smooth() {
        return smooth;
    }

    /** As {@link TokenStore#rollback}; the channel scales fixed by the first vector go with it. */
    @Override
    public void rollback(int base, int[] keepAfter, int kept) {
        super.rollback(base, keepAfter, kept);
        if (size == 0) channel = inverse = null;
    }

    /** The channel scales s, or null (not smoothing, or nothing appended yet). */
    public float[] channelScales() {
        return channel == null ? null : channel.clone();
    }

    /** Fixes the channel scales from the first vector: s_c = √(|x_c| / max|x|) clamped to [1/2, 1]. */
    private void fixChannels(float[] v, int off) {
        float max = 0;
        for (int c = 0; c < dim; c++) max = Math.max(max, Math.abs(v[off + c]));
        channel = new float[dim];
        inverse = new float[dim];
        for (int c = 0; c < dim; c++) {
            float s = max > 0 ? (float) Math.sqrt(Math.abs(v[off + c]) / max) : 1f;
            channel[c] = Math.max(MIN_CHANNEL_SCALE, Math.min(1f, s));
            inverse[c] = 1f / channel[c];
        }
    }

    @Override
    protected void allocate(int cap) {
        codes = new byte[cap * dim];
        scales = new short[cap * blocks];
    }

    @Override
    protected void resize(int cap) {
        codes = Arrays.copyOf(codes, cap * dim);
        scales = Arrays.copyOf(scales, cap * blocks);
    }

    @Override
    protected void encode(int i, float[] v, int off) {
        if (smooth && channel == null) fixChannels(v, off);
        float[] inv = inverse;
        for (int b = 0; b < blocks; b++) {
            int from = off + b * block, c0 = b * block;
            float amax = 0;
            for (int k = 0; k < block; k++) amax = Math.max(amax, Math.abs(inv == null ? v[from + k] : v[from + k] * inv[c0 + k]));
            Half.checkRange(amax, "int8");
            short h = Half.up(amax / 127f);
            float d = Half.f16(h);
            scales[i * blocks + b] = h;
            int base = i * dim + c0;
            for (int k = 0; k < block; k++) {
                float x = inv == null ? v[from + k] : v[from + k] * inv[c0 + k];
                int q = d == 0 ? 0 : Math.round(x / d);
                codes[base + k] = (byte) Math.max(-127, Math.min(127, q));
            }
        }
    }

    @Override
    protected void move(int from, int to) {
        System.arraycopy(codes, from * dim, codes, to * dim, dim);
        System.arraycopy(scales, from * blocks, scales, to * blocks, blocks);
    }

    /** The scale of block {@code b} of vector {@code i}. */
    public float scale(int i, int b) {
        return Half.f16(scales[check(i) * blocks + b]);
    }

    @Override
    public void get(int i, float[] out, int off) {
        check(i);
        float[] ch = channel;
        for (int b = 0; b < blocks; b++) {
            float d = Half.f16(scales[i * blocks + b]);
            int base = i * dim + b * block;
            for (int k = 0; k < block; k++) {
                int c = b * block + k;
                out[off + c] = ch == null ? d * codes[base + k] : ch[c] * (d * codes[base + k]);
            }
        }
    }

    /** Whether the Vector API path applies: blocks made of whole float vectors. */
    private boolean vectorized() {
        return F.length() >= 8 && block % F.length() == 0;
    }

    private FloatVector codes(int at) {
        return (FloatVector) ByteVector.fromArray(B, codes, at).convertShape(VectorOperators.B2F, F, 0);
    }

    @Override
    public void dots(float[] q, int qOff, int n, float scale, float[] out, int outOff) {
        if (vectorized()) {
            if (channel == null) vectorDots(q, qOff, null, 0, n, scale, out, outOff);
            else vectorDots(scaledQuery(q, qOff), 0, null, 0, n, scale, out, outOff);
            return;
        }
        byte[] c = codes;
        float[] ch = channel;
        if (ch != null) {
            for (int i = 0; i < n; i++) {
                float sum = 0;
                for (int b = 0; b < blocks; b++) {
                    int base = i * dim + b * block, x = qOff + b * block, c0 = b * block;
                    float s = 0;
                    for (int k = 0; k < block; k++) s += (q[x + k] * ch[c0 + k]) * c[base + k];
                    sum += Half.f16(scales[i * blocks + b]) * s;
                }
                out[outOff + i] = scale * sum;
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                int base = i * dim + b * block, x = qOff + b * block;
                float s = 0;
                for (int k = 0; k < block; k++) s += q[x + k] * c[base + k];
                sum += Half.f16(scales[i * blocks + b]) * s;
            }
            out[outOff + i] = scale * sum;
        }
    }

    @Override
    public void dotsAt(float[] q, int qOff, int[] idx, int m, float scale, float[] out, int outOff) {
        if (!vectorized()) {
            super.dotsAt(q, qOff, idx, m, scale, out, outOff);
            return;
        }
        if (channel == null) vectorDots(q, qOff, idx, 0, m, scale, out, outOff);
        else vectorDots(scaledQuery(q, qOff), 0, idx, 0, m, scale, out, outOff);
    }

    /** Per head the vector kernel of {@link #dotsAt} over the list (its codes stay in L1 between heads). */
    @Override
    public void dotsGroup(float[] q, int qOff, int heads, int[] idx, int from, int to, float scale, float[] out,
                          int outOff, int stride) {
        if (!vectorized()) {
            super.dotsGroup(q, qOff, heads, idx, from, to, scale, out, outOff, stride);
            return;
        }
        for (int h = 0; h < heads; h++) {
            int qh = qOff + h * dim;
            if (channel == null) vectorDots(q, qh, idx, from, to, scale, out, outOff + h * stride);
            else vectorDots(scaledQuery(q, qh), 0, idx, from, to, scale, out, outOff + h * stride);
        }
    }

    @Override
    public void accumulateGroup(float[] w, int wOff, int stride, int heads, int[] idx, int from, int to, float[] out,
                                int off) {
        if (!vectorized()) {
            super.accumulateGroup(w, wOff, stride, heads, idx, from, to, out, off);
            return;
        }
        for (int h = 0; h < heads; h++) vectorAccumulate(w, wOff + h * stride, idx, from, to, out, off + h * dim);
    }

    /** The query times the channel scales of smoothed keys. */
    private float[] scaledQuery(float[] q, int qOff) {
        float[] qs = new float[dim];
        float[] ch = channel;
        for (int c = 0; c < dim; c++) qs[c] = q[qOff + c] * ch[c];
        return qs;
    }

    /**
     * {@code out[outOff + j − from] = scale × (qs[qsOff…] · x_i)} for {@code from ≤ j < to},
     * {@code i = idx[j]} ({@code i = j} when {@code idx} is null): per block, codes × query in lanes,
     * then × the block's scale. The query is read from its array in the loop (an array of vectors
     * would box them).
     */
    private void vectorDots(float[] qs, int qsOff, int[] idx, int from, int to, float scale, float[] out, int outOff) {
        int lanes = F.length();
        for (int j = from; j < to; j++) {
            int i = idx == null ? j : idx[j];
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < blocks; b++) {
                FloatVector s = FloatVector.zero(F);
                for (int k = 0; k < block; k += lanes) {
                    s = codes(i * dim + b * block + k).fma(FloatVector.fromArray(F, qs, qsOff + b * block + k), s);
                }
                acc = s.fma(FloatVector.broadcast(F, Half.f16(scales[i * blocks + b])), acc);
            }
            out[outOff + j - from] = scale * FloatTensor.sum(acc);
        }
    }

    @Override
    public void accumulateAt(float[] w, int wOff, int[] idx, int m, float[] out, int off) {
        if (!vectorized()) {
            super.accumulateAt(w, wOff, idx, m, out, off);
            return;
        }
        vectorAccumulate(w, wOff, idx, 0, m, out, off);
    }

    /**
     * {@code out[off…] += Σ_{from ≤ j < to} w[wOff + j − from] × x_i}, {@code i = idx[j]} or {@code j}:
     * per lane block one chain over the entries of codes × (weight × block scale), times the channel
     * scales at the end for smoothed keys.
     */
    private void vectorAccumulate(float[] w, int wOff, int[] idx, int from, int to, float[] out, int off) {
        float[] ch = channel;
        int lanes = F.length();
        int c0 = 0;
        if (block == 2 * lanes) {
            // one block (two lane blocks, one scale) at a time: two independent chains, each as below
            for (; c0 < dim; c0 += 2 * lanes) {
                int b = c0 / block;
                FloatVector a0 = ch == null ? FloatVector.fromArray(F, out, off + c0) : FloatVector.zero(F);
                FloatVector a1 = ch == null ? FloatVector.fromArray(F, out, off + c0 + lanes) : FloatVector.zero(F);
                for (int j = from; j < to; j++) {
                    int i = idx == null ? j : idx[j];
                    FloatVector wd = FloatVector.broadcast(F, w[wOff + j - from] * Half.f16(scales[i * blocks + b]));
                    a0 = codes(i * dim + c0).fma(wd, a0);
                    a1 = codes(i * dim + c0 + lanes).fma(wd, a1);
                }
                if (ch != null) {
                    a0 = a0.fma(FloatVector.fromArray(F, ch, c0), FloatVector.fromArray(F, out, off + c0));
                    a1 = a1.fma(FloatVector.fromArray(F, ch, c0 + lanes), FloatVector.fromArray(F, out, off + c0 + lanes));
                }
                a0.intoArray(out, off + c0);
                a1.intoArray(out, off + c0 + lanes);
            }
        }
        for (; c0 < dim; c0 += lanes) {
            int b = c0 / block;
            FloatVector acc = ch == null ? FloatVector.fromArray(F, out, off + c0) : FloatVector.zero(F);
            for (int j = from; j < to; j++) {
                int i = idx == null ? j : idx[j];
                float wd = w[wOff + j - from] * Half.f16(scales[i * blocks + b]);
                acc = codes(i * dim + c0).fma(FloatVector.broadcast(F, wd), acc);
            }
            if (ch != null) acc = acc.fma(FloatVector.fromArray(F, ch, c0), FloatVector.fromArray(F, out, off + c0));
            acc.intoArray(out, off + c0);
        }
    }

    @Override
    public void accumulate(float[] w, int wOff, int n, float[] out, int off) {
        float[] ch = channel;
        if (vectorized()) {
            vectorAccumulate(w, wOff, null, 0, n, out, off);
            return;
        }
        byte[] c = codes;
        for (int i = 0; i < n; i++) {
            float wi = w[wOff + i];
            for (int b = 0; b < blocks; b++) {
                float wd = wi * Half.f16(scales[i * blocks + b]);
                int base = i * dim + b * block, o = off + b * block;
                if (ch == null) {
                    for (int k = 0; k < block; k++) out[o + k] += wd * c[base + k];
                } else {
                    for (int k = 0; k < block; k++) out[o + k] += ch[b * block + k] * (wd * c[base + k]);
                }
            }
        }
    }

    @Override
    public int bytesPerVector() {
        return dim + 2 * blocks;
    }

    /** Bytes of the channel scales (4 per channel once fixed). */
    private long channelBytes() {
        return channel == null ? 0 : 4L * dim;
    }

    @Override
    public long bytesUsed() {
        return super.bytesUsed() + channelBytes();
    }

    @Override
    public long bytesAllocated() {
        return super.bytesAllocated() + channelBytes();
    }

    @Override
    public void clear() {
        super.clear();
        channel = null;
        inverse = null;
    }

    @Override
    public void usage(UsageSink sink) {
        sink.add(codec(), size(), super.bytesUsed());
        if (channel != null) sink.add("int8-channels", 0, channelBytes());
    }

    @Override
    public String codec() {
        return "int8";
    }
}
