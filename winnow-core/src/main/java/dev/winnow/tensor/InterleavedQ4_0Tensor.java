package dev.winnow.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_0 in the {@link InterleavedTensor} layout: 4 rows × 16 bytes of nibbles per block step, one
 * cache line. Products use the 8-bit activations ({@link Q8Activations}), as {@link Q4_0Tensor}.
 */
public final class InterleavedQ4_0Tensor extends InterleavedTensor {
    static final int QUANT_BYTES = 16;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;

    public InterleavedQ4_0Tensor(MemorySegment segment, short[] scales, int rows, int cols) {
        super(segment, scales, rows, cols, QUANT_BYTES);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    int code(long slot, int k) {
        int b = get(segment, slot * QUANT_BYTES + (k & 15)) & 0xFF;
        return (k < 16 ? b & 0xF : b >>> 4) - 8;
    }

    @Override
    void decodeBlock(long slot, float[] out, int outOff) {
        ByteVector q = ByteVector.fromMemorySegment(B, segment, slot * QUANT_BYTES, ByteOrder.LITTLE_ENDIAN);
        float d = scale(slot);
        ((FloatVector) q.and((byte) 0x0F).sub((byte) 8).castShape(F, 0)).mul(d).intoArray(out, outOff);
        ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F).sub((byte) 8).castShape(F, 0)).mul(d)
                .intoArray(out, outOff + 16);
    }

    /**
     * Four rows per group over 8-bit activations, two rows per pass (four in one loop body were
     * more than the JIT would compile well). Written out, not through helpers returning vectors: a helper the JIT does not inline boxes its vector (8 MB of garbage per product); each row's block j goes into
     * accumulator a and block j+1 into b, in the order of {@link Q4_0Tensor#dot(long, Q8Activations,
     * int)} (same bits).
     */
    @Override
    public void dotRows(int from, int to, int cols, float[] x, int xOff, Q8Activations act, float[] out, int outOff) {
        dotRowsQ8(from, to, act, out, outOff);
    }

    /** Rows {@code r, r+1} of group {@code g}: their lane sums into {@code sums[16 r, 16 r + 32)}. */
    @Override
    void twoRows(int g, int r, Q8Activations act, float[] sums) {
        short[] xq = act.codes();
        float[] xd = act.scales();
        MemorySegment s = segment;
        short[] sc = scales;
        int nb = blocks;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0;
        long q = ((long) g * nb * ROWS + r) * QUANT_BYTES;
        int d = g * nb * ROWS + r;
        int j = 0;
        for (; j + 2 <= nb; j += 2, q += 2 * ROWS * QUANT_BYTES, d += 2 * ROWS) {
            int xo = j * BLOCK;
            ShortVector x0 = ShortVector.fromArray(S, xq, xo), x1 = ShortVector.fromArray(S, xq, xo + 16);
            ShortVector x2 = ShortVector.fromArray(S, xq, xo + 32), x3 = ShortVector.fromArray(S, xq, xo + 48);
            float da = xd[j], db = xd[j + 1];
            ShortVector p;
            p = (ShortVector) ByteVector.fromMemorySegment(B, s, q, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            a0 = ((FloatVector) p.and((short) 0xF).sub((short) 8).mul(x0).add(p.lanewise(VectorOperators.LSHR, 4).sub((short) 8).mul(x1))
                    .convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d]) * da), a0);
            p = (ShortVector) ByteVector.fromMemorySegment(B, s, q + QUANT_BYTES, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            a1 = ((FloatVector) p.and((short) 0xF).sub((short) 8).mul(x0).add(p.lanewise(VectorOperators.LSHR, 4).sub((short) 8).mul(x1))
                    .convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d + 1]) * da), a1);
            p = (ShortVector) ByteVector.fromMemorySegment(B, s, q + ROWS * QUANT_BYTES, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            b0 = ((FloatVector) p.and((short) 0xF).sub((short) 8).mul(x2).add(p.lanewise(VectorOperators.LSHR, 4).sub((short) 8).mul(x3))
                    .convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d + ROWS]) * db), b0);
            p = (ShortVector) ByteVector.fromMemorySegment(B, s, q + (ROWS + 1) * QUANT_BYTES, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            b1 = ((FloatVector) p.and((short) 0xF).sub((short) 8).mul(x2).add(p.lanewise(VectorOperators.LSHR, 4).sub((short) 8).mul(x3))
                    .convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d + ROWS + 1]) * db), b1);
        }
        a0.intoArray(sums, 16 * r);
        a1.intoArray(sums, 16 * r + 16);
        if (j < nb) { // an odd last block goes into accumulator a, as in the plain kernel
            int xo = j * BLOCK;
            ShortVector x0 = ShortVector.fromArray(S, xq, xo), x1 = ShortVector.fromArray(S, xq, xo + 16);
            for (int i = 0; i < 2; i++) {
                ShortVector p = (ShortVector) ByteVector.fromMemorySegment(B, s, q + i * QUANT_BYTES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                ((FloatVector) p.and((short) 0xF).sub((short) 8).mul(x0).add(p.lanewise(VectorOperators.LSHR, 4).sub((short) 8).mul(x1))
                        .convertShape(VectorOperators.S2F, F, 0))
                        .fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d + i]) * xd[j]), FloatVector.fromArray(F, sums, 16 * (r + i)))
                        .intoArray(sums, 16 * (r + i));
            }
        }
        FloatVector.fromArray(F, sums, 16 * r).add(b0).intoArray(sums, 16 * r);
        FloatVector.fromArray(F, sums, 16 * r + 16).add(b1).intoArray(sums, 16 * r + 16);
    }
}
