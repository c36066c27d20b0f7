package dev.winnow.tensor;

import static jdk.incubator.vector.VectorOperators.LSHR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * GGML Q4_K: super-blocks of 256 values in 144 bytes: f16 {@code d}, f16 {@code dmin}, 12
 * bytes of packed 6-bit sub-block scales and mins ({@link KQuants}), then {@code qs[128]}.
 * There are 8 sub-blocks of 32 values; sub-blocks {@code 2p} and {@code 2p+1} are the low and
 * high nibbles of {@code qs[32p…32p+32)}. Value = d·scale[sub]·q − dmin·min[sub], as in ggml's
 * {@code dequantize_row_q4_K}.
 */
public final class Q4_KTensor extends FloatTensor {
    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 144;
    private static final int QS = 16;

    /** Encoded bytes are read 16 at a time and widened with castShape(F_SPECIES, part), part < KQuants.PARTS. */
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;

    public Q4_KTensor(MemorySegment segment, long size) {
        super(segment, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    public float getFloat(long index) {
        long base = index / BLOCK * BLOCK_BYTES;
        int k = (int) (index % BLOCK);
        int sub = k >> 5; // 0..7
        int pair = sub >> 1;
        long lo = KQuants.scalesLo(segment, base + 4);
        int hi = KQuants.scalesHi(segment, base + 4);
        float d1 = f16(segment, base) * KQuants.scale(lo, hi, sub);
        float m1 = f16(segment, base + 2) * KQuants.min(lo, hi, sub);
        int b = segment.get(ValueLayout.JAVA_BYTE, base + QS + 32 * pair + (k & 31)) & 0xFF;
        int q = (sub & 1) == 0 ? b & 0xF : b >>> 4;
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
                    float xl = x[xo + l], xh = x[xo + 32 + l];
                    qxLo += (b & 0xF) * xl;
                    qxHi += (b >>> 4) * xh;
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
     * Vector dot on the encoded blocks. Per sub-block the scale and min are folded into the
     * decoded weights, w = d1·q − m1 (one fma per vector), then accumulated as w·x; four
     * accumulators (one per sub-block of a 128-value group) keep the FMAs independent. (This was
     * measurably faster than accumulating d1·Σ(q·x) − m1·Σx separately, and avoids the
     * cancellation between the two sums.)
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
                    // sub-blocks 2p, 2p+1 (as) and 2p+2, 2p+3 (bs), 16 bytes each, viewed as 16-bit lanes
                    ShortVector as = ByteVector.fromMemorySegment(B16, segment, qs + l, ByteOrder.LITTLE_ENDIAN).reinterpretAsShorts();
                    ShortVector bs = ByteVector.fromMemorySegment(B16, segment, qs + 32 + l, ByteOrder.LITTLE_ENDIAN).reinterpretAsShorts();
                    // nibbles masked on 16-bit lanes: the same bits, but with 8 float lanes a byte-lane mask
                    // before the widening cast compiled to much slower code (3x) on JDK 25
                    ByteVector aLo = as.and((short) 0x0F0F).reinterpretAsBytes();
                    ByteVector aHi = as.lanewise(LSHR, 4).and((short) 0x0F0F).reinterpretAsBytes();
                    ByteVector bLo = bs.and((short) 0x0F0F).reinterpretAsBytes();
                    ByteVector bHi = bs.lanewise(LSHR, 4).and((short) 0x0F0F).reinterpretAsBytes();
                    for (int k = 0; k < parts; k++) {
                        int xi = xo + l + k * lanes;
                        acc0 = ((FloatVector) aLo.castShape(F_SPECIES, k)).fma(d0, m0).fma(FloatVector.fromArray(F_SPECIES, x, xi), acc0);
                        acc1 = ((FloatVector) aHi.castShape(F_SPECIES, k)).fma(d1, m1).fma(FloatVector.fromArray(F_SPECIES, x, xi + 32), acc1);
                        acc2 = ((FloatVector) bLo.castShape(F_SPECIES, k)).fma(d2, m2).fma(FloatVector.fromArray(F_SPECIES, x, xi + 64), acc2);
                        acc3 = ((FloatVector) bHi.castShape(F_SPECIES, k)).fma(d3, m3).fma(FloatVector.fromArray(F_SPECIES, x, xi + 96), acc3);
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

    /** ggml's dequantize_row_q4_K, value by value. */
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
                    out[o + l] = d1 * (b & 0xF) - m1;
                    out[o + 32 + l] = d2 * (b >>> 4) - m2;
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
                    ShortVector as = ByteVector.fromMemorySegment(B16, segment, base + QS + 32 * p + l, ByteOrder.LITTLE_ENDIAN)
                            .reinterpretAsShorts();
                    ByteVector aLo = as.and((short) 0x0F0F).reinterpretAsBytes();
                    ByteVector aHi = as.lanewise(LSHR, 4).and((short) 0x0F0F).reinterpretAsBytes();
                    for (int k = 0; k < parts; k++) {
                        ((FloatVector) aLo.castShape(F_SPECIES, k)).mul(d1).sub(m1).intoArray(out, o + l + k * lanes);
                        ((FloatVector) aHi.castShape(F_SPECIES, k)).mul(d2).sub(m2).intoArray(out, o + 32 + l + k * lanes);
                    }
                }
            }
        }
    }
}
