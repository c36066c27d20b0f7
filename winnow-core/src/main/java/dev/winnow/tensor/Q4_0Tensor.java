package dev.winnow.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML Q4_0: blocks of 32 values, each an f16 scale {@code d} and 16 bytes of packed nibbles.
 * Byte {@code j} holds value {@code j} in its low nibble and value {@code j+16} in its high
 * nibble; value = d × (nibble − 8).
 */
public final class Q4_0Tensor extends FloatTensor {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 18;

    public Q4_0Tensor(MemorySegment segment, long size) {
        super(segment, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public float getFloat(long index) {
        long base = index / BLOCK * BLOCK_BYTES;
        int k = (int) (index % BLOCK);
        int b = segment.get(ValueLayout.JAVA_BYTE, base + 2 + (k & 15)) & 0xFF;
        int q = k < 16 ? (b & 0xF) : (b >>> 4);
        return f16(segment, base) * (q - 8);
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int n) {
        return USE_VECTOR ? vectorDot(offset, x, xOffset, n) : scalarDot(offset, x, xOffset, n);
    }

    float scalarDot(long offset, float[] x, int xOffset, int n) {
        float sum = 0f;
        long blockBase = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j < n; j += BLOCK, blockBase += BLOCK_BYTES) {
            float s = 0f;
            for (int k = 0; k < 16; k++) {
                int b = segment.get(ValueLayout.JAVA_BYTE, blockBase + 2 + k) & 0xFF;
                s += ((b & 0xF) - 8) * x[xOffset + j + k] + ((b >>> 4) - 8) * x[xOffset + j + k + 16];
            }
            sum += f16(segment, blockBase) * s;
        }
        return sum;
    }

    private float vectorDot(long offset, float[] x, int xOffset, int n) {
        if (F_SPECIES.length() != 16) return vectorDotAnyWidth(offset, x, xOffset, n);
        // Two blocks per step with separate accumulators, so consecutive FMAs do not wait on each other.
        FloatVector acc0 = FloatVector.zero(F_SPECIES), acc1 = acc0;
        long base = offset / BLOCK * BLOCK_BYTES;
        int j = 0;
        // (written out, not through a helper returning a vector: a helper that is not inlined boxes it)
        for (; j + 2 * BLOCK <= n; j += 2 * BLOCK, base += 2 * BLOCK_BYTES) {
            ByteVector p0 = ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, base + 2, ByteOrder.LITTLE_ENDIAN);
            ByteVector p1 = ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, base + BLOCK_BYTES + 2, ByteOrder.LITTLE_ENDIAN);
            int x0 = xOffset + j, x1 = x0 + BLOCK;
            FloatVector s0 = ((FloatVector) p0.and((byte) 0xF).sub((byte) 8).castShape(F_SPECIES, 0))
                    .mul(FloatVector.fromArray(F_SPECIES, x, x0));
            FloatVector s1 = ((FloatVector) p1.and((byte) 0xF).sub((byte) 8).castShape(F_SPECIES, 0))
                    .mul(FloatVector.fromArray(F_SPECIES, x, x1));
            s0 = ((FloatVector) p0.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).castShape(F_SPECIES, 0))
                    .fma(FloatVector.fromArray(F_SPECIES, x, x0 + 16), s0);
            s1 = ((FloatVector) p1.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).castShape(F_SPECIES, 0))
                    .fma(FloatVector.fromArray(F_SPECIES, x, x1 + 16), s1);
            acc0 = s0.fma(FloatVector.broadcast(F_SPECIES, f16(segment, base)), acc0);
            acc1 = s1.fma(FloatVector.broadcast(F_SPECIES, f16(segment, base + BLOCK_BYTES)), acc1);
        }
        if (j < n) acc0 = blockDot16(base, x, xOffset + j).fma(FloatVector.broadcast(F_SPECIES, f16(segment, base)), acc0);
        // FloatTensor.sum's fixed-order lane sum, written out: as a call it was not inlined (7.5 % of
        // decoding in a profile, and a boxed vector per row).
        FloatVector v = acc0.add(acc1);
        FloatVector h = ((FloatVector) v.reinterpretShape(FloatVector.SPECIES_256, 0))
                .add((FloatVector) v.reinterpretShape(FloatVector.SPECIES_256, 1));
        FloatVector q = ((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 0))
                .add((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 1));
        return (q.lane(0) + q.lane(2)) + (q.lane(1) + q.lane(3));
    }

    /** Lane-wise partial products of one block (unscaled) with x, for 16-lane vectors. */
    private FloatVector blockDot16(long base, float[] x, int xOff) {
        ByteVector packed = ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, base + 2, ByteOrder.LITTLE_ENDIAN);
        ByteVector lo = packed.and((byte) 0xF).sub((byte) 8);
        ByteVector hi = packed.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
        FloatVector s = ((FloatVector) lo.castShape(F_SPECIES, 0)).mul(FloatVector.fromArray(F_SPECIES, x, xOff));
        return ((FloatVector) hi.castShape(F_SPECIES, 0)).fma(FloatVector.fromArray(F_SPECIES, x, xOff + 16), s);
    }

    @Override
    public boolean takesQ8Activations() {
        return Q8_KERNELS;
    }

    /**
     * Block j: the 16 bytes widened to 16-bit lanes, split into low and high nibbles − 8, each
     * multiplied by its 16 activation codes and added (lane i: value i and value i+16; at most
     * 2 × 8 × 127), then one conversion to float and one FMA with d·dx.
     */
    @Override
    public float dot(long offset, Q8Activations a, int n) {
        short[] xq = a.codes();
        float[] xd = a.scales();
        FloatVector acc0 = FloatVector.zero(F_SPECIES), acc1 = acc0;
        long base = offset / BLOCK * BLOCK_BYTES;
        int j = 0;
        for (; j + 2 * BLOCK <= n; j += 2 * BLOCK, base += 2 * BLOCK_BYTES) {
            ShortVector p0 = (ShortVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, base + 2, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, ShortVector.SPECIES_256, 0);
            ShortVector p1 = (ShortVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, base + 2 + BLOCK_BYTES, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, ShortVector.SPECIES_256, 0);
            ShortVector s0 = p0.and((short) 0xF).sub((short) 8).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j))
                    .add(p0.lanewise(VectorOperators.LSHR, 4).sub((short) 8).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j + 16)));
            ShortVector s1 = p1.and((short) 0xF).sub((short) 8).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j + 32))
                    .add(p1.lanewise(VectorOperators.LSHR, 4).sub((short) 8).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j + 48)));
            acc0 = ((FloatVector) s0.convertShape(VectorOperators.S2F, F_SPECIES, 0))
                    .fma(FloatVector.broadcast(F_SPECIES, f16(segment, base) * xd[j / BLOCK]), acc0);
            acc1 = ((FloatVector) s1.convertShape(VectorOperators.S2F, F_SPECIES, 0))
                    .fma(FloatVector.broadcast(F_SPECIES, f16(segment, base + BLOCK_BYTES) * xd[j / BLOCK + 1]), acc1);
        }
        if (j < n) {
            ShortVector p0 = (ShortVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, base + 2, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, ShortVector.SPECIES_256, 0);
            ShortVector s0 = p0.and((short) 0xF).sub((short) 8).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j))
                    .add(p0.lanewise(VectorOperators.LSHR, 4).sub((short) 8).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j + 16)));
            acc0 = ((FloatVector) s0.convertShape(VectorOperators.S2F, F_SPECIES, 0))
                    .fma(FloatVector.broadcast(F_SPECIES, f16(segment, base) * xd[j / BLOCK]), acc0);
        }
        FloatVector v = acc0.add(acc1);
        FloatVector h = ((FloatVector) v.reinterpretShape(FloatVector.SPECIES_256, 0))
                .add((FloatVector) v.reinterpretShape(FloatVector.SPECIES_256, 1));
        FloatVector q = ((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 0))
                .add((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 1));
        return (q.lane(0) + q.lane(2)) + (q.lane(1) + q.lane(3));
    }

    /**
     * Several vectors per read of the weights, four at a time, as {@link Q8_0Tensor}'s: each block's
     * nibbles are unpacked to floats once for the four; per vector the lane sums
     * {@code (lo[l]-8)·x[l] + (hi[l]-8)·x[l+16]} are exact small-integer float products, the values
     * the one-vector kernel forms in 16-bit lanes, meeting the scales in the same FMAs and order.
     * So each result is bit for bit {@link #dot(long, Q8Activations, int)}.
     */
    @Override
    public void dots(long offset, Q8Activations[] x, int count, int n, float[] out, int outOffset, int outStride) {
        int b = 0;
        // An odd block count (rare: hidden sizes are even multiples of 32) takes the one-vector kernel.
        for (; b + 4 <= count && n % (2 * BLOCK) == 0 && Q8_KERNELS; b += 4) {
            dots4(offset, x[b], x[b + 1], x[b + 2], x[b + 3], n, out, outOffset + b * outStride, outStride);
        }
        for (; b < count; b++) out[outOffset + b * outStride] = dot(offset, x[b], n);
    }

    private void dots4(long offset, Q8Activations a, Q8Activations b, Q8Activations c, Q8Activations e, int n,
                       float[] out, int o, int stride) {
        float[] xa = a.floatCodes(), xb = b.floatCodes(), xc = c.floatCodes(), xe = e.floatCodes();
        float[] da = a.scales(), db = b.scales(), dc = c.scales(), de = e.scales();
        FloatVector a0 = FloatVector.zero(FloatVector.SPECIES_512), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
        long base = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j + 2 * BLOCK <= n; j += 2 * BLOCK, base += 2 * BLOCK_BYTES) {
            ByteVector p0 = ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, base + 2, ByteOrder.LITTLE_ENDIAN);
            ByteVector p1 = ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, base + 2 + BLOCK_BYTES, ByteOrder.LITTLE_ENDIAN);
            FloatVector w0 = (FloatVector) p0.and((byte) 0xF).sub((byte) 8).convertShape(VectorOperators.B2F, FloatVector.SPECIES_512, 0);
            FloatVector w1 = (FloatVector) p0.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).convertShape(VectorOperators.B2F, FloatVector.SPECIES_512, 0);
            FloatVector w2 = (FloatVector) p1.and((byte) 0xF).sub((byte) 8).convertShape(VectorOperators.B2F, FloatVector.SPECIES_512, 0);
            FloatVector w3 = (FloatVector) p1.lanewise(VectorOperators.LSHR, 4).sub((byte) 8).convertShape(VectorOperators.B2F, FloatVector.SPECIES_512, 0);
            float d0 = f16(segment, base), d1 = f16(segment, base + BLOCK_BYTES);
            int k = j / BLOCK;
            a0 = w1.fma(FloatVector.fromArray(FloatVector.SPECIES_512, xa, j + 16), w0.mul(FloatVector.fromArray(FloatVector.SPECIES_512, xa, j)))
                    .fma(FloatVector.broadcast(FloatVector.SPECIES_512, d0 * da[k]), a0);
            a1 = w3.fma(FloatVector.fromArray(FloatVector.SPECIES_512, xa, j + 48), w2.mul(FloatVector.fromArray(FloatVector.SPECIES_512, xa, j + 32)))
                    .fma(FloatVector.broadcast(FloatVector.SPECIES_512, d1 * da[k + 1]), a1);
            b0 = w1.fma(FloatVector.fromArray(FloatVector.SPECIES_512, xb, j + 16), w0.mul(FloatVector.fromArray(FloatVector.SPECIES_512, xb, j)))
                    .fma(FloatVector.broadcast(FloatVector.SPECIES_512, d0 * db[k]), b0);
            b1 = w3.fma(FloatVector.fromArray(FloatVector.SPECIES_512, xb, j + 48), w2.mul(FloatVector.fromArray(FloatVector.SPECIES_512, xb, j + 32)))
                    .fma(FloatVector.broadcast(FloatVector.SPECIES_512, d1 * db[k + 1]), b1);
            c0 = w1.fma(FloatVector.fromArray(FloatVector.SPECIES_512, xc, j + 16), w0.mul(FloatVector.fromArray(FloatVector.SPECIES_512, xc, j)))
                    .fma(FloatVector.broadcast(FloatVector.SPECIES_512, d0 * dc[k]), c0);
            c1 = w3.fma(FloatVector.fromArray(FloatVector.SPECIES_512, xc, j + 48), w2.mul(FloatVector.fromArray(FloatVector.SPECIES_512, xc, j + 32)))
                    .fma(FloatVector.broadcast(FloatVector.SPECIES_512, d1 * dc[k + 1]), c1);
            e0 = w1.fma(FloatVector.fromArray(FloatVector.SPECIES_512, xe, j + 16), w0.mul(FloatVector.fromArray(FloatVector.SPECIES_512, xe, j)))
                    .fma(FloatVector.broadcast(FloatVector.SPECIES_512, d0 * de[k]), e0);
            e1 = w3.fma(FloatVector.fromArray(FloatVector.SPECIES_512, xe, j + 48), w2.mul(FloatVector.fromArray(FloatVector.SPECIES_512, xe, j + 32)))
                    .fma(FloatVector.broadcast(FloatVector.SPECIES_512, d1 * de[k + 1]), e1);
        }
        float[] lanes = new float[4 * 16];
        a0.add(a1).intoArray(lanes, 0);
        b0.add(b1).intoArray(lanes, 16);
        c0.add(c1).intoArray(lanes, 32);
        e0.add(e1).intoArray(lanes, 48);
        out[o] = sum16(lanes, 0);
        out[o + stride] = sum16(lanes, 16);
        out[o + 2 * stride] = sum16(lanes, 32);
        out[o + 3 * stride] = sum16(lanes, 48);
    }

    /** The simple reference for {@link #dot(long, Q8Activations, int)}: exact integer sums per block. */
    float scalarDot(long offset, Q8Activations a, int n) {
        float sum = 0f;
        long blockBase = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j < n; j += BLOCK, blockBase += BLOCK_BYTES) {
            int s = 0;
            for (int k = 0; k < 16; k++) {
                int b = segment.get(ValueLayout.JAVA_BYTE, blockBase + 2 + k) & 0xFF;
                s += ((b & 0xF) - 8) * a.code(j + k) + ((b >>> 4) - 8) * a.code(j + k + 16);
            }
            sum += f16(segment, blockBase) * a.scale(j / BLOCK) * s;
        }
        return sum;
    }

    private float vectorDotAnyWidth(long offset, float[] x, int xOffset, int n) {
        FloatVector acc = FloatVector.zero(F_SPECIES);
        long blockBase = offset / BLOCK * BLOCK_BYTES;
        int lanes = F_SPECIES.length();
        for (int j = 0; j < n; j += BLOCK, blockBase += BLOCK_BYTES) {
            FloatVector d = FloatVector.broadcast(F_SPECIES, f16(segment, blockBase));
            ByteVector packed = ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, blockBase + 2, ByteOrder.LITTLE_ENDIAN);
            ByteVector lo = packed.and((byte) 0xF).sub((byte) 8);
            ByteVector hi = packed.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
            FloatVector s = FloatVector.zero(F_SPECIES);
            for (int p = 0; p < 16 / lanes; p++) {
                s = ((FloatVector) lo.castShape(F_SPECIES, p)).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + j + p * lanes), s);
                s = ((FloatVector) hi.castShape(F_SPECIES, p)).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + j + 16 + p * lanes), s);
            }
            acc = s.fma(d, acc);
        }
        return FloatTensor.sum(acc);
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        if (USE_VECTOR && F_SPECIES.length() == 16) {
            // 16 bytes → low nibbles (values 0–15) and high nibbles (16–31), each − 8, × d.
            long blockBase = offset / BLOCK * BLOCK_BYTES;
            for (int j = 0; j < n; j += BLOCK, blockBase += BLOCK_BYTES) {
                ByteVector q = ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, blockBase + 2, ByteOrder.LITTLE_ENDIAN);
                float d = f16(segment, blockBase);
                ByteVector lo = q.and((byte) 0x0F).sub((byte) 8);
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F).sub((byte) 8);
                ((FloatVector) lo.castShape(F_SPECIES, 0)).mul(d).intoArray(out, outOffset + j);
                ((FloatVector) hi.castShape(F_SPECIES, 0)).mul(d).intoArray(out, outOffset + j + 16);
            }
            return;
        }
        long blockBase = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j < n; j += BLOCK, blockBase += BLOCK_BYTES) {
            float d = f16(segment, blockBase);
            for (int k = 0; k < 16; k++) {
                int b = segment.get(ValueLayout.JAVA_BYTE, blockBase + 2 + k) & 0xFF;
                out[outOffset + j + k] = d * ((b & 0xF) - 8);
                out[outOffset + j + k + 16] = d * ((b >>> 4) - 8);
            }
        }
    }
}
