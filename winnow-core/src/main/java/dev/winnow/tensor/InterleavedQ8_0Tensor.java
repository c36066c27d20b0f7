package dev.winnow.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Q8_0 in the {@link InterleavedTensor} layout: 4 rows × 32 bytes per block step, 2 cache lines. */
public final class InterleavedQ8_0Tensor extends InterleavedTensor {
    static final int QUANT_BYTES = 32;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_256;
    private static final VectorSpecies<Byte> H = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;

    public InterleavedQ8_0Tensor(MemorySegment segment, short[] scales, int rows, int cols) {
        super(segment, scales, rows, cols, QUANT_BYTES);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    int code(long slot, int k) {
        return get(segment, slot * QUANT_BYTES + k);
    }

    @Override
    void decodeBlock(long slot, float[] out, int outOff) {
        ByteVector q = ByteVector.fromMemorySegment(B, segment, slot * QUANT_BYTES, ByteOrder.LITTLE_ENDIAN);
        float d = scale(slot);
        ((FloatVector) q.castShape(F, 0)).mul(d).intoArray(out, outOff);
        ((FloatVector) q.castShape(F, 1)).mul(d).intoArray(out, outOff + 16);
    }

    /**
     * Four rows per pass: for each pair of blocks the input's four 16-lane vectors are loaded once,
     * and each row adds block j into its accumulator a and block j+1 into b, as {@link Q8_0Tensor}
     * does for one row (same products, same order, same bits).
     */
    @Override
    public void dotRows(int from, int to, int cols, float[] x, int xOff, Q8Activations act, float[] out, int outOff) {
        if (act != null) {
            dotRowsQ8(from, to, act, out, outOff);
            return;
        }
        if (from >= to) return;
        float[] sums = new float[16 * ROWS];
        MemorySegment s = segment;
        short[] sc = scales;
        int nb = blocks;
        for (int g = from / ROWS, gEnd = (to - 1) / ROWS; g <= gEnd; g++) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            long q = (long) g * nb * ROWS * QUANT_BYTES;
            int d = g * nb * ROWS;
            int j = 0;
            for (; j + 2 <= nb; j += 2, q += 2 * ROWS * QUANT_BYTES, d += 2 * ROWS) {
                int xo = xOff + j * BLOCK;
                FloatVector x0 = FloatVector.fromArray(F, x, xo), x1 = FloatVector.fromArray(F, x, xo + 16);
                FloatVector x2 = FloatVector.fromArray(F, x, xo + 32), x3 = FloatVector.fromArray(F, x, xo + 48);
                ByteVector v;
                v = ByteVector.fromMemorySegment(B, s, q, ByteOrder.LITTLE_ENDIAN);
                a0 = ((FloatVector) v.castShape(F, 1)).fma(x1, ((FloatVector) v.castShape(F, 0)).mul(x0)).fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d])), a0);
                v = ByteVector.fromMemorySegment(B, s, q + 32, ByteOrder.LITTLE_ENDIAN);
                a1 = ((FloatVector) v.castShape(F, 1)).fma(x1, ((FloatVector) v.castShape(F, 0)).mul(x0)).fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d + 1])), a1);
                v = ByteVector.fromMemorySegment(B, s, q + 64, ByteOrder.LITTLE_ENDIAN);
                a2 = ((FloatVector) v.castShape(F, 1)).fma(x1, ((FloatVector) v.castShape(F, 0)).mul(x0)).fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d + 2])), a2);
                v = ByteVector.fromMemorySegment(B, s, q + 96, ByteOrder.LITTLE_ENDIAN);
                a3 = ((FloatVector) v.castShape(F, 1)).fma(x1, ((FloatVector) v.castShape(F, 0)).mul(x0)).fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d + 3])), a3);
                v = ByteVector.fromMemorySegment(B, s, q + 128, ByteOrder.LITTLE_ENDIAN);
                b0 = ((FloatVector) v.castShape(F, 1)).fma(x3, ((FloatVector) v.castShape(F, 0)).mul(x2)).fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d + 4])), b0);
                v = ByteVector.fromMemorySegment(B, s, q + 160, ByteOrder.LITTLE_ENDIAN);
                b1 = ((FloatVector) v.castShape(F, 1)).fma(x3, ((FloatVector) v.castShape(F, 0)).mul(x2)).fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d + 5])), b1);
                v = ByteVector.fromMemorySegment(B, s, q + 192, ByteOrder.LITTLE_ENDIAN);
                b2 = ((FloatVector) v.castShape(F, 1)).fma(x3, ((FloatVector) v.castShape(F, 0)).mul(x2)).fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d + 6])), b2);
                v = ByteVector.fromMemorySegment(B, s, q + 224, ByteOrder.LITTLE_ENDIAN);
                b3 = ((FloatVector) v.castShape(F, 1)).fma(x3, ((FloatVector) v.castShape(F, 0)).mul(x2)).fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d + 7])), b3);
            }
            a0.intoArray(sums, 0);
            a1.intoArray(sums, 16);
            a2.intoArray(sums, 32);
            a3.intoArray(sums, 48);
            if (j < nb) { // an odd last block goes into accumulator a, as in the plain kernel
                int xo = xOff + j * BLOCK;
                FloatVector x0 = FloatVector.fromArray(F, x, xo), x1 = FloatVector.fromArray(F, x, xo + 16);
                for (int r = 0; r < ROWS; r++) {
                    ByteVector v = ByteVector.fromMemorySegment(B, s, q + r * QUANT_BYTES, ByteOrder.LITTLE_ENDIAN);
                    ((FloatVector) v.castShape(F, 1)).fma(x1, ((FloatVector) v.castShape(F, 0)).mul(x0))
                            .fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d + r])), FloatVector.fromArray(F, sums, 16 * r))
                            .intoArray(sums, 16 * r);
                }
            }
            FloatVector.fromArray(F, sums, 0).add(b0).intoArray(sums, 0);
            FloatVector.fromArray(F, sums, 16).add(b1).intoArray(sums, 16);
            FloatVector.fromArray(F, sums, 32).add(b2).intoArray(sums, 32);
            FloatVector.fromArray(F, sums, 48).add(b3).intoArray(sums, 48);
            store(g, sums, from, to, out, outOff);
        }
    }

    /**
     * 8-bit activations, rows {@code r, r+1} of group {@code g} (two per loop body, as
     * {@link InterleavedQ4_0Tensor}): each block as {@link Q8_0Tensor#dot(long, Q8Activations, int)}
     * computes it, block j into accumulator a and j+1 into b (same bits); lane sums into
     * {@code sums[16 r, 16 r + 32)}.
     */
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
            long o;
            o = q;
            a0 = ((FloatVector) ((ShortVector) ByteVector.fromMemorySegment(H, s, o, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0)).mul(x0)
                    .add(((ShortVector) ByteVector.fromMemorySegment(H, s, o + 16, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0)).mul(x1))
                    .convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d]) * da), a0);
            o = q + QUANT_BYTES;
            a1 = ((FloatVector) ((ShortVector) ByteVector.fromMemorySegment(H, s, o, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0)).mul(x0)
                    .add(((ShortVector) ByteVector.fromMemorySegment(H, s, o + 16, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0)).mul(x1))
                    .convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d + 1]) * da), a1);
            o = q + ROWS * QUANT_BYTES;
            b0 = ((FloatVector) ((ShortVector) ByteVector.fromMemorySegment(H, s, o, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0)).mul(x2)
                    .add(((ShortVector) ByteVector.fromMemorySegment(H, s, o + 16, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0)).mul(x3))
                    .convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d + ROWS]) * db), b0);
            o = q + (ROWS + 1) * QUANT_BYTES;
            b1 = ((FloatVector) ((ShortVector) ByteVector.fromMemorySegment(H, s, o, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0)).mul(x2)
                    .add(((ShortVector) ByteVector.fromMemorySegment(H, s, o + 16, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0)).mul(x3))
                    .convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d + ROWS + 1]) * db), b1);
        }
        a0.intoArray(sums, 16 * r);
        a1.intoArray(sums, 16 * r + 16);
        if (j < nb) { // an odd last block goes into accumulator a, as in the plain kernel
            int xo = j * BLOCK;
            ShortVector x0 = ShortVector.fromArray(S, xq, xo), x1 = ShortVector.fromArray(S, xq, xo + 16);
            for (int i = 0; i < 2; i++) {
                long o = q + i * QUANT_BYTES;
                ((FloatVector) ((ShortVector) ByteVector.fromMemorySegment(H, s, o, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0)).mul(x0)
                        .add(((ShortVector) ByteVector.fromMemorySegment(H, s, o + 16, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0)).mul(x1))
                        .convertShape(VectorOperators.S2F, F, 0))
                        .fma(FloatVector.broadcast(F, Float.float16ToFloat(sc[d + i]) * xd[j]), FloatVector.fromArray(F, sums, 16 * (r + i)))
                        .intoArray(sums, 16 * (r + i));
            }
        }
        FloatVector.fromArray(F, sums, 16 * r).add(b0).intoArray(sums, 16 * r);
        FloatVector.fromArray(F, sums, 16 * r + 16).add(b1).intoArray(sums, 16 * r + 16);
    }
}
