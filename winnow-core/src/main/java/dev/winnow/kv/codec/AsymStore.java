package dev.winnow.kv.codec;

import dev.winnow.tensor.FloatTensor;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectors quantized per token in asymmetric blocks of {@code block} values (32, or the whole
 * vector when the head is smaller): an f16 scale {@code d}, an f16 minimum {@code m} and one
 * {@code bits}-bit code per value; value = m + d·q with d = (max − m) / (2^bits − 1), so
 * |x − (m + d·q)| ≤ d/2. At 4 bits this is GGUF's Q4_1 block (20 bytes per 32 values, low
 * nibbles the first half of the block, high nibbles the second); at 2 bits the same with four
 * codes per byte (12 bytes per 32 values). Attention works on the codes:
 * q·k = Σ_blocks (d · Σ q_j·c_j + m · Σ q_j).
 */
public final class AsymStore extends TokenStore {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));
    private final int bits;
    private final int levels;
    private final int block;
    private final int blocks;
    private final int blockBytes;
    /** Bytes per block = the stride between the codes sharing one byte. */
    private final int stride;
    private final String name;
    private byte[] codes;
    private short[] scales;
    private short[] mins;

    public AsymStore(int dim, int bits, int block) {
        this(dim, bits, block, "int" + bits);
    }

    AsymStore(int dim, int bits, int block, String name) {
        super(dim);
        if (bits != 2 && bits != 4) throw new IllegalArgumentException("bits=" + bits + ": 2 or 4");
        this.name = name;
        this.bits = bits;
        this.levels = (1 << bits) - 1;
        this.block = Blocks.check(dim, block, name);
        Blocks.checkPacking(this.block, bits, name, "a block");
        this.blocks = dim / this.block;
        this.blockBytes = this.block * bits / 8;
        this.stride = blockBytes;
        init();
    }

    public int bits() {
        return bits;
    }

    public int block() {
        return block;
    }

    @Override
    protected void allocate(int cap) {
        codes = new byte[cap * blocks * blockBytes];
        scales = new short[cap * blocks];
        mins = new short[cap * blocks];
    }

    @Override
    protected void resize(int cap) {
        codes = Arrays.copyOf(codes, cap * blocks * blockBytes);
        scales = Arrays.copyOf(scales, cap * blocks);
        mins = Arrays.copyOf(mins, cap * blocks);
    }

    @Override
    protected void encode(int i, float[] v, int off) {
        for (int b = 0; b < blocks; b++) {
            int from = off + b * block;
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < block; k++) {
                lo = Math.min(lo, v[from + k]);
                hi = Math.max(hi, v[from + k]);
            }
            Half.checkRange(lo, name);
            Half.checkRange(hi, name);
            short mh = Half.down(lo);
            float m = Half.f16(mh);
            short dh = Half.up((hi - m) / levels);
            float d = Half.f16(dh);
            scales[i * blocks + b] = dh;
            mins[i * blocks + b] = mh;
            int base = (i * blocks + b) * blockBytes;
            Arrays.fill(codes, base, base + blockBytes, (byte) 0);
            for (int k = 0; k < block; k++) {
                int q = d == 0 ? 0 : Math.max(0, Math.min(levels, Math.round((v[from + k] - m) / d)));
                codes[base + k % stride] |= (byte) (q << (bits * (k / stride)));
            }
        }
    }

    @Override
    protected void move(int from, int to) {
        System.arraycopy(codes, from * blocks * blockBytes, codes, to * blocks * blockBytes, blocks * blockBytes);
        System.arraycopy(scales, from * blocks, scales, to * blocks, blocks);
        System.arraycopy(mins, from * blocks, mins, to * blocks, blocks);
    }

    /** The scale of block {@code b} of vector {@code i}. */
    public float scale(int i, int b) {
        return Half.f16(scales[check(i) * blocks + b]);
    }

    @Override
    public void get(int i, float[] out, int off) {
        check(i);
        for (int b = 0; b < blocks; b++) {
            float d = Half.f16(scales[i * blocks + b]), m = Half.f16(mins[i * blocks + b]);
            int base = (i * blocks + b) * blockBytes;
            for (int k = 0; k < block; k++) {
                int q = (codes[base + k % stride] >> (bits * (k / stride))) & levels;
                out[off + b * block + k] = m + d * q;
            }
        }
    }

    /** Whether the Vector API path applies: 4-bit codes whose half-blocks are whole float vectors. */
    private boolean vectorized() {
        return bits == 4 && F.length() >= 8 && stride % F.length() == 0;
    }

    @Override
    public void dots(float[] q, int qOff, int n, float scale, float[] out, int outOff) {
        if (vectorized()) {
            dots4(q, qOff, null, n, scale, out, outOff);
            return;
        }
        float[] qsum = new float[blocks];
        for (int b = 0; b < blocks; b++) {
            float s = 0;
            for (int k = 0; k < block; k++) s += q[qOff + b * block + k];
            qsum[b] = s;
        }
        byte[] c = codes;
        int st = stride;
        for (int i = 0; i < n; i++) {
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                int base = (i * blocks + b) * blockBytes, x = qOff + b * block;
                float s = 0;
                if (bits == 4) {
                    for (int j = 0; j < st; j++) {
                        int v = c[base + j];
                        s += q[x + j] * (v & 15) + q[x + j + st] * ((v >> 4) & 15);
                    }
                } else {
                    for (int j = 0; j < st; j++) {
                        int v = c[base + j];
                        s += q[x + j] * (v & 3) + q[x + j + st] * ((v >> 2) & 3)
                                + q[x + j + 2 * st] * ((v >> 4) & 3) + q[x + j + 3 * st] * ((v >> 6) & 3);
                    }
                }
                sum += Half.f16(scales[i * blocks + b]) * s + Half.f16(mins[i * blocks + b]) * qsum[b];
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
        dots4(q, qOff, idx, m, scale, out, outOff);
    }

    /**
     * {@code out[outOff + k] = scale × q·x_i}, i = {@code idx[k]} (or k when idx is null), for
     * 4-bit codes: q·x = Σ_b (d_b · Σ_j q_j·c_j + m_b · Σ_j q_j). One loop over the entries, the
     * query read from its array and the lane sum written out (vectors kept in an array, or
     * passed to or returned from a call that is not inlined, are boxed).
     */
    private void dots4(float[] q, int qOff, int[] idx, int n, float scale, float[] out, int outOff) {
        float[] qsum = new float[blocks];
        for (int b = 0; b < blocks; b++) {
            float s = 0;
            for (int k = 0; k < block; k++) s += q[qOff + b * block + k];
            qsum[b] = s;
        }
        int lanes = F.length();
        for (int k = 0; k < n; k++) {
            int i = idx == null ? k : idx[k];
            FloatVector acc = FloatVector.zero(F);
            float zero = 0;
            for (int b = 0; b < blocks; b++) {
                int base = (i * blocks + b) * blockBytes, x = qOff + b * block;
                FloatVector s = FloatVector.zero(F);
                for (int j = 0; j < stride; j += lanes) {
                    ByteVector v = ByteVector.fromArray(B, codes, base + j);
                    s = ((FloatVector) v.and((byte) 15).convertShape(VectorOperators.B2F, F, 0))
                            .fma(FloatVector.fromArray(F, q, x + j), s);
                    s = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).and((byte) 15).convertShape(VectorOperators.B2F, F, 0))
                            .fma(FloatVector.fromArray(F, q, x + stride + j), s);
                }
                acc = s.fma(FloatVector.broadcast(F, Half.f16(scales[i * blocks + b])), acc);
                zero += Half.f16(mins[i * blocks + b]) * qsum[b];
            }
            float sum;
            if (lanes == 16) {
                FloatVector h = ((FloatVector) acc.reinterpretShape(FloatVector.SPECIES_256, 0))
                        .add((FloatVector) acc.reinterpretShape(FloatVector.SPECIES_256, 1));
                FloatVector t = ((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 0))
                        .add((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 1));
                sum = (t.lane(0) + t.lane(2)) + (t.lane(1) + t.lane(3));
            } else {
                sum = FloatTensor.sum(acc);
            }
            out[outOff + k] = scale * (sum + zero);
        }
    }

    /** {@code out += Σ_k w_k · x_{i_k}}, i_k = {@code idx[k]} (or k when idx is null); blocks outside, entries inside. */
    private void accumulateVector(float[] w, int wOff, int[] idx, int n, float[] out, int off) {
        int lanes = F.length();
        for (int b = 0; b < blocks; b++) {
            for (int j = 0; j < stride; j += lanes) {
                int lo = off + b * block + j, hi = lo + stride;
                FloatVector accLo = FloatVector.fromArray(F, out, lo), accHi = FloatVector.fromArray(F, out, hi);
                float msum = 0;
                for (int k = 0; k < n; k++) {
                    int i = idx == null ? k : idx[k];
                    float wi = w[wOff + k];
                    FloatVector wd = FloatVector.broadcast(F, wi * Half.f16(scales[i * blocks + b]));
                    ByteVector v = ByteVector.fromArray(B, codes, (i * blocks + b) * blockBytes + j);
                    accLo = ((FloatVector) v.and((byte) 15).convertShape(VectorOperators.B2F, F, 0)).fma(wd, accLo);
                    accHi = ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).and((byte) 15).convertShape(VectorOperators.B2F, F, 0))
                            .fma(wd, accHi);
                    msum += wi * Half.f16(mins[i * blocks + b]);
                }
                FloatVector m = FloatVector.broadcast(F, msum);
                accLo.add(m).intoArray(out, lo);
                accHi.add(m).intoArray(out, hi);
            }
        }
    }

    @Override
    public void accumulateAt(float[] w, int wOff, int[] idx, int m, float[] out, int off) {
        if (!vectorized()) {
            super.accumulateAt(w, wOff, idx, m, out, off);
            return;
        }
        accumulateVector(w, wOff, idx, m, out, off);
    }

    @Override
    public void accumulate(float[] w, int wOff, int n, float[] out, int off) {
        if (vectorized()) {
            accumulateVector(w, wOff, null, n, out, off);
            return;
        }
        byte[] c = codes;
        int st = stride;
        for (int i = 0; i < n; i++) {
            float wi = w[wOff + i];
            for (int b = 0; b < blocks; b++) {
                float wd = wi * Half.f16(scales[i * blocks + b]), wm = wi * Half.f16(mins[i * blocks + b]);
                int base = (i * blocks + b) * blockBytes, o = off + b * block;
                if (bits == 4) {
                    for (int j = 0; j < st; j++) {
                        int v = c[base + j];
                        out[o + j] += wm + wd * (v & 15);
                        out[o + j + st] += wm + wd * ((v >> 4) & 15);
                    }
                } else {
                    for (int j = 0; j < st; j++) {
                        int v = c[base + j];
                        out[o + j] += wm + wd * (v & 3);
                        out[o + j + st] += wm + wd * ((v >> 2) & 3);
                        out[o + j + 2 * st] += wm + wd * ((v >> 4) & 3);
                        out[o + j + 3 * st] += wm + wd * ((v >> 6) & 3);
                    }
                }
            }
        }
    }

    @Override
    public int bytesPerVector() {
        return blocks * (blockBytes + 4);
    }

    @Override
    public String codec() {
        return name;
    }
}
