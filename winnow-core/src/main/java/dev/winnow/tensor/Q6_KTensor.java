package dev.winnow.tensor;

import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * GGML Q6_K: super-blocks of 256 values in 210 bytes: {@code ql[128]} (low 4 bits),
 * {@code qh[64]} (high 2 bits), 16 signed 8-bit sub-block scales, then the f16 super-scale
 * {@code d}. Value = d × scale[sub] × (q − 32), sub-blocks of 16 values.
 *
 * <p>Each half (128 values) uses {@code ql[64h…64h+64)} and {@code qh[32h…32h+32)}; for
 * {@code l < 32}: value {@code l} is the low nibble of {@code ql[l]} with bits 0–1 of
 * {@code qh[l]}, value {@code l+32} the low nibble of {@code ql[l+32]} with bits 2–3, value
 * {@code l+64} the high nibble of {@code ql[l]} with bits 4–5, value {@code l+96} the high
 * nibble of {@code ql[l+32]} with bits 6–7. Sub-block {@code s} (values {@code 16s…16s+16)}
 * of the super-block) has scale {@code scales[s]}.
 */
public final class Q6_KTensor extends FloatTensor {
    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 210;
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;

    /** Encoded bytes are read 16 at a time and widened with castShape(F_SPECIES, part), part < KQuants.PARTS. */
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;

    public Q6_KTensor(MemorySegment segment, long size) {
        super(segment, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public float getFloat(long index) {
        long base = index / BLOCK * BLOCK_BYTES;
        int k = (int) (index % BLOCK);
        int half = k >> 7, i = (k >> 5) & 3, l = k & 31;
        int ql = segment.get(ValueLayout.JAVA_BYTE, base + 64 * half + l + 32 * (i & 1)) & 0xFF;
        int qh = segment.get(ValueLayout.JAVA_BYTE, base + QH + 32 * half + l) & 0xFF;
        int q = ((i < 2 ? ql & 0xF : ql >>> 4) | (((qh >>> (2 * i)) & 3) << 4)) - 32;
        return f16(segment, base + D) * segment.get(ValueLayout.JAVA_BYTE, base + SCALES + (k >> 4)) * q;
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int n) {
        return USE_VECTOR ? vectorDot(offset, x, xOffset, n) : scalarDot(offset, x, xOffset, n);
    }

    /** Scalar dot on the encoded blocks: Σ over sub-blocks of d·scale·Σ(q·x). */
    float scalarDot(long offset, float[] x, int xOffset, int n) {
        float sum = 0f;
        long base = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j < n; j += BLOCK, base += BLOCK_BYTES) {
            float d = f16(segment, base + D);
            for (int half = 0; half < 2; half++) {
                long ql = base + half * 64;
                long qh = base + QH + half * 32;
                int xo = xOffset + j + half * 128;
                for (int s = 0; s < 2; s++) { // l in [16s, 16s+16)
                    float s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f;
                    for (int l = 16 * s; l < 16 * s + 16; l++) {
                        int a = segment.get(ValueLayout.JAVA_BYTE, ql + l) & 0xFF;
                        int b = segment.get(ValueLayout.JAVA_BYTE, ql + l + 32) & 0xFF;
                        int h = segment.get(ValueLayout.JAVA_BYTE, qh + l) & 0xFF;
                        s1 += (((a & 0xF) | ((h & 3) << 4)) - 32) * x[xo + l];
                        s2 += (((b & 0xF) | ((h & 0xC) << 2)) - 32) * x[xo + l + 32];
                        s3 += (((a >>> 4) | (h & 0x30)) - 32) * x[xo + l + 64];
                        s4 += (((b >>> 4) | ((h & 0xC0) >>> 2)) - 32) * x[xo + l + 96];
                    }
                    long sc = base + SCALES + half * 8 + s;
                    sum += d * (segment.get(ValueLayout.JAVA_BYTE, sc) * s1 + segment.get(ValueLayout.JAVA_BYTE, sc + 2) * s2
                            + segment.get(ValueLayout.JAVA_BYTE, sc + 4) * s3 + segment.get(ValueLayout.JAVA_BYTE, sc + 6) * s4);
                }
            }
        }
        return sum;
    }

    /**
     * Vector dot on the encoded blocks: 16 values (one sub-block) of each quarter of a half are
     * decoded at a time from 16 bytes of {@code ql}, {@code ql+32} and {@code qh}, widened to
     * floats, multiplied by d·scale and accumulated with x in four independent accumulators.
     */
    private float vectorDot(long offset, float[] x, int xOffset, int n) {
        final int lanes = F_SPECIES.length();
        final int parts = KQuants.PARTS;
        FloatVector acc0 = FloatVector.zero(F_SPECIES), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        long base = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j < n; j += BLOCK, base += BLOCK_BYTES) {
            float d = f16(segment, base + D);
            for (int half = 0; half < 2; half++) {
                long sc = segment.get(KQuants.LONG_LE, base + SCALES + 8 * half); // this half's 8 scales
                long ql = base + 64 * half, qh = base + QH + 32 * half;
                int xo = xOffset + j + 128 * half;
                for (int l = 0; l < 32; l += 16) {
                    ByteVector a = ByteVector.fromMemorySegment(B16, segment, ql + l, ByteOrder.LITTLE_ENDIAN);
                    ShortVector as = a.reinterpretAsShorts();
                    ByteVector b = ByteVector.fromMemorySegment(B16, segment, ql + 32 + l, ByteOrder.LITTLE_ENDIAN);
                    ShortVector bs = b.reinterpretAsShorts();
                    ByteVector h = ByteVector.fromMemorySegment(B16, segment, qh + l, ByteOrder.LITTLE_ENDIAN);
                    ShortVector hs = h.reinterpretAsShorts();
                    ByteVector h01 = hs.lanewise(LSHL, 4).reinterpretAsBytes().and((byte) 0x30); // qh bits 0-1 → 4-5
                    ByteVector h23 = hs.lanewise(LSHL, 2).reinterpretAsBytes().and((byte) 0x30); // bits 2-3 → 4-5
                    ByteVector h45 = h.and((byte) 0x30);
                    ByteVector h67 = hs.lanewise(LSHR, 2).reinterpretAsBytes().and((byte) 0x30); // bits 6-7 → 4-5
                    ByteVector q1 = a.and((byte) 0xF).or(h01).sub((byte) 32);
                    ByteVector q2 = b.and((byte) 0xF).or(h23).sub((byte) 32);
                    ByteVector q3 = as.lanewise(LSHR, 4).reinterpretAsBytes().and((byte) 0xF).or(h45).sub((byte) 32);
                    ByteVector q4 = bs.lanewise(LSHR, 4).reinterpretAsBytes().and((byte) 0xF).or(h67).sub((byte) 32);
                    int is = l >> 1; // bit offset of scale l/16 in sc
                    float s1 = d * (byte) (sc >>> is), s2 = d * (byte) (sc >>> (is + 16));
                    float s3 = d * (byte) (sc >>> (is + 32)), s4 = d * (byte) (sc >>> (is + 48));
                    for (int k = 0; k < parts; k++) {
                        int xi = xo + l + k * lanes;
                        acc0 = ((FloatVector) q1.castShape(F_SPECIES, k)).mul(s1).fma(FloatVector.fromArray(F_SPECIES, x, xi), acc0);
                        acc1 = ((FloatVector) q2.castShape(F_SPECIES, k)).mul(s2).fma(FloatVector.fromArray(F_SPECIES, x, xi + 32), acc1);
                        acc2 = ((FloatVector) q3.castShape(F_SPECIES, k)).mul(s3).fma(FloatVector.fromArray(F_SPECIES, x, xi + 64), acc2);
                        acc3 = ((FloatVector) q4.castShape(F_SPECIES, k)).mul(s4).fma(FloatVector.fromArray(F_SPECIES, x, xi + 96), acc3);
                    }
                }
            }
        }
        FloatVector acc = acc0.add(acc1).add(acc2.add(acc3));
        // FloatTensor.sum's fixed lane order, written out here: this method is too big for the JIT to
        // inline a call into it, and a vector passed to a call that is not inlined gets boxed.
        if (lanes == 16) {
            FloatVector h = ((FloatVector) acc.reinterpretShape(FloatVector.SPECIES_256, 0))
                    .add((FloatVector) acc.reinterpretShape(FloatVector.SPECIES_256, 1));
            FloatVector q = ((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 0))
                    .add((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 1));
            return (q.lane(0) + q.lane(2)) + (q.lane(1) + q.lane(3));
        }
        float s = 0;
        for (int i = 0; i < lanes; i++) s += acc.lane(i);
        return s;
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        if (USE_VECTOR) vectorDequantize(offset, out, outOffset, n);
        else scalarDequantize(offset, out, outOffset, n);
    }

    /** ggml's dequantize_row_q6_K, value by value. */
    void scalarDequantize(long offset, float[] out, int outOffset, int n) {
        long base = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j < n; j += BLOCK, base += BLOCK_BYTES) {
            float d = f16(segment, base + D);
            for (int half = 0; half < 2; half++) {
                long ql = base + half * 64;
                long qh = base + QH + half * 32;
                long sc = base + SCALES + half * 8;
                int o = outOffset + j + half * 128;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int qlo = segment.get(ValueLayout.JAVA_BYTE, ql + l) & 0xFF;
                    int qhi = segment.get(ValueLayout.JAVA_BYTE, ql + l + 32) & 0xFF;
                    int h = segment.get(ValueLayout.JAVA_BYTE, qh + l) & 0xFF;
                    int q1 = ((qlo & 0xF) | ((h & 3) << 4)) - 32;
                    int q2 = ((qhi & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                    int q3 = ((qlo >> 4) | (((h >> 4) & 3) << 4)) - 32;
                    int q4 = ((qhi >> 4) | (((h >> 6) & 3) << 4)) - 32;
                    out[o + l] = d * segment.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
                    out[o + l + 32] = d * segment.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
                    out[o + l + 64] = d * segment.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
                    out[o + l + 96] = d * segment.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
                }
            }
        }
    }

    /** Same values as {@link #scalarDequantize}: (d·scale) computed as a float, times q, per lane. */
    private void vectorDequantize(long offset, float[] out, int outOffset, int n) {
        final int lanes = F_SPECIES.length();
        final int parts = KQuants.PARTS;
        long base = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j < n; j += BLOCK, base += BLOCK_BYTES) {
            float d = f16(segment, base + D);
            for (int half = 0; half < 2; half++) {
                long sc = segment.get(KQuants.LONG_LE, base + SCALES + 8 * half);
                long ql = base + 64 * half, qh = base + QH + 32 * half;
                int o = outOffset + j + 128 * half;
                for (int l = 0; l < 32; l += 16) {
                    ByteVector a = ByteVector.fromMemorySegment(B16, segment, ql + l, ByteOrder.LITTLE_ENDIAN);
                    ShortVector as = a.reinterpretAsShorts();
                    ByteVector b = ByteVector.fromMemorySegment(B16, segment, ql + 32 + l, ByteOrder.LITTLE_ENDIAN);
                    ShortVector bs = b.reinterpretAsShorts();
                    ByteVector h = ByteVector.fromMemorySegment(B16, segment, qh + l, ByteOrder.LITTLE_ENDIAN);
                    ShortVector hs = h.reinterpretAsShorts();
                    ByteVector h01 = hs.lanewise(LSHL, 4).reinterpretAsBytes().and((byte) 0x30); // qh bits 0-1 → 4-5
                    ByteVector h23 = hs.lanewise(LSHL, 2).reinterpretAsBytes().and((byte) 0x30); // bits 2-3 → 4-5
                    ByteVector h45 = h.and((byte) 0x30);
                    ByteVector h67 = hs.lanewise(LSHR, 2).reinterpretAsBytes().and((byte) 0x30); // bits 6-7 → 4-5
                    ByteVector q1 = a.and((byte) 0xF).or(h01).sub((byte) 32);
                    ByteVector q2 = b.and((byte) 0xF).or(h23).sub((byte) 32);
                    ByteVector q3 = as.lanewise(LSHR, 4).reinterpretAsBytes().and((byte) 0xF).or(h45).sub((byte) 32);
                    ByteVector q4 = bs.lanewise(LSHR, 4).reinterpretAsBytes().and((byte) 0xF).or(h67).sub((byte) 32);
                    int is = l >> 1;
                    float s1 = d * (byte) (sc >>> is), s2 = d * (byte) (sc >>> (is + 16));
                    float s3 = d * (byte) (sc >>> (is + 32)), s4 = d * (byte) (sc >>> (is + 48));
                    for (int k = 0; k < parts; k++) {
                        int at = o + l + k * lanes;
                        ((FloatVector) q1.castShape(F_SPECIES, k)).mul(s1).intoArray(out, at);
                        ((FloatVector) q2.castShape(F_SPECIES, k)).mul(s2).intoArray(out, at + 32);
                        ((FloatVector) q3.castShape(F_SPECIES, k)).mul(s3).intoArray(out, at + 64);
                        ((FloatVector) q4.castShape(F_SPECIES, k)).mul(s4).intoArray(out, at + 96);
                    }
                }
            }
        }
    }
}
