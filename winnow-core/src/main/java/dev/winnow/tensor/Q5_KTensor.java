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
 * GGML Q5_K: super-blocks of 256 values in 176 bytes: f16 {@code d}, f16 {@code dmin}, 12
 * bytes of packed 6-bit sub-block scales and mins ({@link KQuants}), {@code qh[32]} (fifth
 * bits), {@code qs[128]} (low nibbles). 8 sub-blocks of 32 values: sub-blocks {@code 2p} and
 * {@code 2p+1} are the low and high nibbles of {@code qs[32p…32p+32)}, with their fifth bit in
 * bit {@code 2p} resp. {@code 2p+1} of {@code qh[l]}. Value = d·scale[sub]·q − dmin·min[sub],
 * q in 0…31, as in ggml's {@code dequantize_row_q5_K}.
 */
public final class Q5_KTensor extends FloatTensor {
    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 176;
    private static final int QH = 16;
    private static final int QS = 48;

    /** Encoded bytes are read 16 at a time and widened with castShape(F_SPECIES, part), part < KQuants.PARTS. */
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;

    public Q5_KTensor(MemorySegment segment, long size) {
        super(segment, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    @Override
    public float getFloat(long index) {
        long base = index / BLOCK * BLOCK_BYTES;
        int k = (int) (index % BLOCK);
        int sub = k >> 5; // 0..7
        int l = k & 31;
        long lo = KQuants.scalesLo(segment, base + 4);
        int hi = KQuants.scalesHi(segment, base + 4);
        float d1 = f16(segment, base) * KQuants.scale(lo, hi, sub);
        float m1 = f16(segment, base + 2) * KQuants.min(lo, hi, sub);
        int b = segment.get(ValueLayout.JAVA_BYTE, base + QS + 32 * (sub >> 1) + l) & 0xFF;
        int h = segment.get(ValueLayout.JAVA_BYTE, base + QH + l) & 0xFF;
        int q = ((sub & 1) == 0 ? b & 0xF : b >>> 4) + (((h >>> sub) & 1) << 4);
        return d1 * q - m1;
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int n) {
        return USE_VECTOR ? vectorDot(offset, x, xOffset, n) : scalarDot(offset, x, xOffset, n);
    }

    /** Scalar dot on the encoded blocks: per sub-block d1·Σ(q·x) − m1·Σx. */
    float scalarDot(long offset, float[] x, int xOffset, int n) {
        float sum = 0f;
        long base = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j < n; j += BLOCK, base += BLOCK_BYTES) {
            float d = f16(segment, base), dmin = f16(segment, base + 2);
            long lo = KQuants.scalesLo(segment, base + 4);
            int hi = KQuants.scalesHi(segment, base + 4);
            for (int p = 0; p < 4; p++) {
                float qxLo = 0f, qxHi = 0f, sxLo = 0f, sxHi = 0f;
                int xo = xOffset + j + 64 * p;
                long qs = base + QS + 32 * p;
                for (int l = 0; l < 32; l++) {
                    int b = segment.get(ValueLayout.JAVA_BYTE, qs + l) & 0xFF;
                    int h = (segment.get(ValueLayout.JAVA_BYTE, base + QH + l) & 0xFF) >>> (2 * p);
                    float xl = x[xo + l], xh = x[xo + 32 + l];
                    qxLo += ((b & 0xF) | ((h & 1) << 4)) * xl;
                    qxHi += ((b >>> 4) | ((h & 2) << 3)) * xh;
                    sxLo += xl;
                    sxHi += xh;
                }
                sum += d * KQuants.scale(lo, hi, 2 * p) * qxLo - dmin * KQuants.min(lo, hi, 2 * p) * sxLo
                        + d * KQuants.scale(lo, hi, 2 * p + 1) * qxHi - dmin * KQuants.min(lo, hi, 2 * p + 1) * sxHi;
            }
        }
        return sum;
    }

    /**
     * Vector dot on the encoded blocks, as in {@link Q4_KTensor}: per sub-block w = d1·q − m1
     * (one fma per vector), accumulated as w·x in four independent accumulators.
     */
    private float vectorDot(long offset, float[] x, int xOffset, int n) {
        final int lanes = F_SPECIES.length();
        final int parts = KQuants.PARTS;
        FloatVector acc0 = FloatVector.zero(F_SPECIES), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        long base = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j < n; j += BLOCK, base += BLOCK_BYTES) {
            float d = f16(segment, base), dmin = f16(segment, base + 2);
            long lo = KQuants.scalesLo(segment, base + 4);
            int hi = KQuants.scalesHi(segment, base + 4);
            for (int p = 0; p < 4; p += 2) { // sub-blocks 2p … 2p+3: values 64p … 64p+128
                FloatVector d0 = FloatVector.broadcast(F_SPECIES, d * KQuants.scale(lo, hi, 2 * p));
                FloatVector d1 = FloatVector.broadcast(F_SPECIES, d * KQuants.scale(lo, hi, 2 * p + 1));
                FloatVector d2 = FloatVector.broadcast(F_SPECIES, d * KQuants.scale(lo, hi, 2 * p + 2));
                FloatVector d3 = FloatVector.broadcast(F_SPECIES, d * KQuants.scale(lo, hi, 2 * p + 3));
                FloatVector m0 = FloatVector.broadcast(F_SPECIES, -dmin * KQuants.min(lo, hi, 2 * p));
                FloatVector m1 = FloatVector.broadcast(F_SPECIES, -dmin * KQuants.min(lo, hi, 2 * p + 1));
                FloatVector m2 = FloatVector.broadcast(F_SPECIES, -dmin * KQuants.min(lo, hi, 2 * p + 2));
                FloatVector m3 = FloatVector.broadcast(F_SPECIES, -dmin * KQuants.min(lo, hi, 2 * p + 3));
                long qs = base + QS + 32 * p;
                int xo = xOffset + j + 64 * p;
                for (int l = 0; l < 32; l += 16) {
                    // bits 0..3 of each byte of h: the fifth bits of sub-blocks 2p … 2p+3
                    ShortVector hs = ByteVector.fromMemorySegment(B16, segment, base + QH + l, ByteOrder.LITTLE_ENDIAN)
                            .reinterpretAsShorts().lanewise(LSHR, 2 * p);
                    ByteVector a = ByteVector.fromMemorySegment(B16, segment, qs + l, ByteOrder.LITTLE_ENDIAN);      // sub-blocks 2p, 2p+1
                    ShortVector as = a.reinterpretAsShorts();
                    ByteVector b = ByteVector.fromMemorySegment(B16, segment, qs + 32 + l, ByteOrder.LITTLE_ENDIAN); // sub-blocks 2p+2, 2p+3
                    ShortVector bs = b.reinterpretAsShorts();
                    ByteVector h0 = hs.lanewise(LSHL, 4).reinterpretAsBytes().and((byte) 0x10); // bit 0 → 16
                    ByteVector h1 = hs.lanewise(LSHL, 3).reinterpretAsBytes().and((byte) 0x10); // bit 1 → 16
                    ByteVector h2 = hs.lanewise(LSHL, 2).reinterpretAsBytes().and((byte) 0x10); // bit 2 → 16
                    ByteVector h3 = hs.lanewise(LSHL, 1).reinterpretAsBytes().and((byte) 0x10); // bit 3 → 16
                    ByteVector q0 = a.and((byte) 0xF).or(h0);
                    ByteVector q1 = as.lanewise(LSHR, 4).reinterpretAsBytes().and((byte) 0xF).or(h1);
                    ByteVector q2 = b.and((byte) 0xF).or(h2);
                    ByteVector q3 = bs.lanewise(LSHR, 4).reinterpretAsBytes().and((byte) 0xF).or(h3);
                    for (int k = 0; k < parts; k++) {
                        int xi = xo + l + k * lanes;
                        acc0 = ((FloatVector) q0.castShape(F_SPECIES, k)).fma(d0, m0).fma(FloatVector.fromArray(F_SPECIES, x, xi), acc0);
                        acc1 = ((FloatVector) q1.castShape(F_SPECIES, k)).fma(d1, m1).fma(FloatVector.fromArray(F_SPECIES, x, xi + 32), acc1);
                        acc2 = ((FloatVector) q2.castShape(F_SPECIES, k)).fma(d2, m2).fma(FloatVector.fromArray(F_SPECIES, x, xi + 64), acc2);
                        acc3 = ((FloatVector) q3.castShape(F_SPECIES, k)).fma(d3, m3).fma(FloatVector.fromArray(F_SPECIES, x, xi + 96), acc3);
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

    /** ggml's dequantize_row_q5_K, value by value. */
    void scalarDequantize(long offset, float[] out, int outOffset, int n) {
        long base = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j < n; j += BLOCK, base += BLOCK_BYTES) {
            float d = f16(segment, base), dmin = f16(segment, base + 2);
            long lo = KQuants.scalesLo(segment, base + 4);
            int hi = KQuants.scalesHi(segment, base + 4);
            for (int p = 0; p < 4; p++) {
                float d1 = d * KQuants.scale(lo, hi, 2 * p), m1 = dmin * KQuants.min(lo, hi, 2 * p);
                float d2 = d * KQuants.scale(lo, hi, 2 * p + 1), m2 = dmin * KQuants.min(lo, hi, 2 * p + 1);
                int o = outOffset + j + 64 * p;
                long qs = base + QS + 32 * p;
                for (int l = 0; l < 32; l++) {
                    int b = segment.get(ValueLayout.JAVA_BYTE, qs + l) & 0xFF;
                    int h = (segment.get(ValueLayout.JAVA_BYTE, base + QH + l) & 0xFF) >>> (2 * p);
                    out[o + l] = d1 * ((b & 0xF) + ((h & 1) << 4)) - m1;
                    out[o + 32 + l] = d2 * ((b >>> 4) + ((h & 2) << 3)) - m2;
                }
            }
        }
    }

    /** Same values as {@link #scalarDequantize} (the same IEEE multiply then subtract per lane). */
    private void vectorDequantize(long offset, float[] out, int outOffset, int n) {
        final int lanes = F_SPECIES.length();
        final int parts = KQuants.PARTS;
        long base = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j < n; j += BLOCK, base += BLOCK_BYTES) {
            float d = f16(segment, base), dmin = f16(segment, base + 2);
            long lo = KQuants.scalesLo(segment, base + 4);
            int hi = KQuants.scalesHi(segment, base + 4);
            for (int p = 0; p < 4; p++) {
                float d1 = d * KQuants.scale(lo, hi, 2 * p), m1 = dmin * KQuants.min(lo, hi, 2 * p);
                float d2 = d * KQuants.scale(lo, hi, 2 * p + 1), m2 = dmin * KQuants.min(lo, hi, 2 * p + 1);
                int o = outOffset + j + 64 * p;
                for (int l = 0; l < 32; l += 16) {
                    ShortVector hs = ByteVector.fromMemorySegment(B16, segment, base + QH + l, ByteOrder.LITTLE_ENDIAN)
                            .reinterpretAsShorts().lanewise(LSHR, 2 * p);
                    ByteVector a = ByteVector.fromMemorySegment(B16, segment, base + QS + 32 * p + l, ByteOrder.LITTLE_ENDIAN);
                    ShortVector as = a.reinterpretAsShorts();
                    ByteVector h0 = hs.lanewise(LSHL, 4).reinterpretAsBytes().and((byte) 0x10);
                    ByteVector h1 = hs.lanewise(LSHL, 3).reinterpretAsBytes().and((byte) 0x10);
                    ByteVector qLo = a.and((byte) 0xF).or(h0);
                    ByteVector qHi = as.lanewise(LSHR, 4).reinterpretAsBytes().and((byte) 0xF).or(h1);
                    for (int k = 0; k < parts; k++) {
                        ((FloatVector) qLo.castShape(F_SPECIES, k)).mul(d1).sub(m1).intoArray(out, o + l + k * lanes);
                        ((FloatVector) qHi.castShape(F_SPECIES, k)).mul(d2).sub(m2).intoArray(out, o + 32 + l + k * lanes);
                    }
                }
            }
        }
    }
}
