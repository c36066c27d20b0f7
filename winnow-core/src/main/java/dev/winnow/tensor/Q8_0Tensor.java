package dev.winnow.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GGML Q8_0: blocks of 32 values, each block an f16 scale {@code d} followed by 32 signed
 * bytes {@code q}; value = d × q.
 */
public final class Q8_0Tensor extends FloatTensor {
    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 34;

    public Q8_0Tensor(MemorySegment segment, long size) {
        super(segment, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public float getFloat(long index) {
        long block = index / BLOCK;
        long base = block * BLOCK_BYTES;
        byte q = segment.get(ValueLayout.JAVA_BYTE, base + 2 + index % BLOCK);
        return f16(segment, base) * q;
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int n) {
        return USE_VECTOR ? vectorDot(offset, x, xOffset, n) : scalarDot(offset, x, xOffset, n);
    }

    float scalarDot(long offset, float[] x, int xOffset, int n) {
        float sum = 0f;
        long blockBase = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j < n; j += BLOCK, blockBase += BLOCK_BYTES) {
            float d = f16(segment, blockBase);
            float s = 0f;
            for (int k = 0; k < BLOCK; k++) {
                s += segment.get(ValueLayout.JAVA_BYTE, blockBase + 2 + k) * x[xOffset + j + k];
            }
            sum += d * s;
        }
        return sum;
    }

    private float vectorDot(long offset, float[] x, int xOffset, int n) {
        if (F_SPECIES.length() != 16) return vectorDotAnyWidth(offset, x, xOffset, n);
        // Two blocks per step with separate accumulators, so consecutive FMAs do not wait on each other.
        FloatVector acc0 = FloatVector.zero(F_SPECIES), acc1 = acc0;
        long base = offset / BLOCK * BLOCK_BYTES;
        int j = 0;
        for (; j + 2 * BLOCK <= n; j += 2 * BLOCK, base += 2 * BLOCK_BYTES) {
            ByteVector q0 = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, segment, base + 2, ByteOrder.LITTLE_ENDIAN);
            ByteVector q1 = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, segment, base + 2 + BLOCK_BYTES, ByteOrder.LITTLE_ENDIAN);
            FloatVector s0 = ((FloatVector) q0.castShape(F_SPECIES, 0)).mul(FloatVector.fromArray(F_SPECIES, x, xOffset + j));
            FloatVector s1 = ((FloatVector) q1.castShape(F_SPECIES, 0)).mul(FloatVector.fromArray(F_SPECIES, x, xOffset + j + 32));
            s0 = ((FloatVector) q0.castShape(F_SPECIES, 1)).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + j + 16), s0);
            s1 = ((FloatVector) q1.castShape(F_SPECIES, 1)).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + j + 48), s1);
            acc0 = s0.fma(FloatVector.broadcast(F_SPECIES, f16(segment, base)), acc0);
            acc1 = s1.fma(FloatVector.broadcast(F_SPECIES, f16(segment, base + BLOCK_BYTES)), acc1);
        }
        if (j < n) {
            ByteVector q = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, segment, base + 2, ByteOrder.LITTLE_ENDIAN);
            FloatVector s = ((FloatVector) q.castShape(F_SPECIES, 0)).mul(FloatVector.fromArray(F_SPECIES, x, xOffset + j));
            s = ((FloatVector) q.castShape(F_SPECIES, 1)).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + j + 16), s);
            acc0 = s.fma(FloatVector.broadcast(F_SPECIES, f16(segment, base)), acc0);
        }
        // FloatTensor.sum's fixed-order lane sum, written out: as a call it was not inlined (7.5 % of
        // decoding in a profile, and a boxed vector per row).
        FloatVector v = acc0.add(acc1);
        FloatVector h = ((FloatVector) v.reinterpretShape(FloatVector.SPECIES_256, 0))
                .add((FloatVector) v.reinterpretShape(FloatVector.SPECIES_256, 1));
        FloatVector q = ((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 0))
                .add((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 1));
        return (q.lane(0) + q.lane(2)) + (q.lane(1) + q.lane(3));
    }

    @Override
    public boolean takesQ8Activations() {
        return Q8_KERNELS;
    }

    /**
     * Block j against 8-bit activations, as llama.cpp's {@code vec_dot_q8_0_q8_0}: the 32 weight
     * bytes widened to 16-bit lanes, multiplied by the 32 activation codes, values i and i+16
     * added in 16-bit lanes (at most 2 × 128 × 127 = 32512, no overflow), then one conversion of
     * 16 lanes to float and one FMA with d·dx. Integer sums are exact, so the result does not
     * depend on how the products are grouped, only on the float accumulation order (two
     * accumulators: even and odd blocks, then their lane sum in {@link FloatTensor#sum}'s order).
     */
    @Override
    public float dot(long offset, Q8Activations a, int n) {
        short[] xq = a.codes();
        float[] xd = a.scales();
        FloatVector acc0 = FloatVector.zero(FloatVector.SPECIES_512), acc1 = acc0;
        long base = offset / BLOCK * BLOCK_BYTES;
        int j = 0;
        for (; j + 2 * BLOCK <= n; j += 2 * BLOCK, base += 2 * BLOCK_BYTES) {
            ShortVector s0 = ((ShortVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, base + 2, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2S, ShortVector.SPECIES_256, 0)).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j))
                    .add(((ShortVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, base + 18, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2S, ShortVector.SPECIES_256, 0)).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j + 16)));
            ShortVector s1 = ((ShortVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, base + 2 + BLOCK_BYTES, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2S, ShortVector.SPECIES_256, 0)).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j + 32))
                    .add(((ShortVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, base + 18 + BLOCK_BYTES, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2S, ShortVector.SPECIES_256, 0)).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j + 48)));
            acc0 = ((FloatVector) s0.convertShape(VectorOperators.S2F, FloatVector.SPECIES_512, 0))
                    .fma(FloatVector.broadcast(FloatVector.SPECIES_512, f16(segment, base) * xd[j / BLOCK]), acc0);
            acc1 = ((FloatVector) s1.convertShape(VectorOperators.S2F, FloatVector.SPECIES_512, 0))
                    .fma(FloatVector.broadcast(FloatVector.SPECIES_512, f16(segment, base + BLOCK_BYTES) * xd[j / BLOCK + 1]), acc1);
        }
        if (j < n) {
            ShortVector s0 = ((ShortVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, base + 2, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2S, ShortVector.SPECIES_256, 0)).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j))
                    .add(((ShortVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, base + 18, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2S, ShortVector.SPECIES_256, 0)).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j + 16)));
            acc0 = ((FloatVector) s0.convertShape(VectorOperators.S2F, FloatVector.SPECIES_512, 0))
                    .fma(FloatVector.broadcast(FloatVector.SPECIES_512, f16(segment, base) * xd[j / BLOCK]), acc0);
        }
        FloatVector v = acc0.add(acc1);
        FloatVector h = ((FloatVector) v.reinterpretShape(FloatVector.SPECIES_256, 0))
                .add((FloatVector) v.reinterpretShape(FloatVector.SPECIES_256, 1));
        FloatVector q = ((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 0))
                .add((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 1));
        return (q.lane(0) + q.lane(2)) + (q.lane(1) + q.lane(3));
    }

    /**
     * Several vectors per read of the weights, four at a time. Each block is widened to float once
     * for the four; per vector the block's lane sums {@code q[l]·x[l] + q[l+16]·x[l+16]} are one
     * multiply and one FMA of small integers held in floats (|sum| ≤ 2 × 127², exact), the same
     * values the one-vector kernel forms in 16-bit lanes, and they meet the scales in the same
     * FMAs on the same two accumulators in the same order. So each result is bit for bit
     * {@link #dot(long, Q8Activations, int)}, at about half its instructions per vector.
     */
    @Override
    public void dots(long offset, Q8Activations[] x, int count, int n, float[] out, int outOffset, int outStride) {
        int b = 0;
        // An odd block count (rare: hidden sizes are even multiples of 32) takes the one-vector kernel.
        for (; b + 4 <= count && n % (2 * BLOCK) == 0; b += 4) {
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
        int j = 0;
        for (; j + 2 * BLOCK <= n; j += 2 * BLOCK, base += 2 * BLOCK_BYTES) {
            FloatVector w0 = widen(base + 2), w1 = widen(base + 18);
            FloatVector w2 = widen(base + 2 + BLOCK_BYTES), w3 = widen(base + 18 + BLOCK_BYTES);
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
        // The lane sums through an array: a helper taking vectors is not inlined in a method this size (a
        // boxed vector per call), and scalar adds in FloatTensor.sum's order give the same bits.
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

    /** 16 weight codes from {@code byteOffset}, as floats. */
    private FloatVector widen(long byteOffset) {
        return (FloatVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, byteOffset, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2F, FloatVector.SPECIES_512, 0);
    }

    /** The simple reference for {@link #dot(long, Q8Activations, int)}: exact integer sums per block. */
    float scalarDot(long offset, Q8Activations a, int n) {
        float sum = 0f;
        long blockBase = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j < n; j += BLOCK, blockBase += BLOCK_BYTES) {
            int s = 0;
            for (int k = 0; k < BLOCK; k++) s += segment.get(ValueLayout.JAVA_BYTE, blockBase + 2 + k) * a.code(j + k);
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
            ByteVector q = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, segment, blockBase + 2, ByteOrder.LITTLE_ENDIAN);
            FloatVector s = FloatVector.zero(F_SPECIES);
            for (int p = 0; p < BLOCK / lanes; p++) {
                s = ((FloatVector) q.castShape(F_SPECIES, p)).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + j + p * lanes), s);
            }
            acc = s.fma(d, acc);
        }
        return FloatTensor.sum(acc);
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        if (USE_VECTOR && F_SPECIES.length() == 16) {
            // Prefill decodes every weight row once per token block: 32 codes → two 16-lane float vectors × d.
            long blockBase = offset / BLOCK * BLOCK_BYTES;
            for (int j = 0; j < n; j += BLOCK, blockBase += BLOCK_BYTES) {
                ByteVector q = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, segment, blockBase + 2, ByteOrder.LITTLE_ENDIAN);
                float d = f16(segment, blockBase);
                ((FloatVector) q.castShape(F_SPECIES, 0)).mul(d).intoArray(out, outOffset + j);
                ((FloatVector) q.castShape(F_SPECIES, 1)).mul(d).intoArray(out, outOffset + j + 16);
            }
            return;
        }
        long blockBase = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j < n; j += BLOCK, blockBase += BLOCK_BYTES) {
            float d = f16(segment, blockBase);
            for (int k = 0; k < BLOCK; k++) {
                out[outOffset + j + k] = d * segment.get(ValueLayout.JAVA_BYTE, blockBase + 2 + k);
            }
        }
    }
}
