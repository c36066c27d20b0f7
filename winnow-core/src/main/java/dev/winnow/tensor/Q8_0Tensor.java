package dev.winnow.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
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
        FloatVector acc = FloatVector.zero(F_SPECIES);
        long blockBase = offset / BLOCK * BLOCK_BYTES;
        int lanes = F_SPECIES.length();
        for (int j = 0; j < n; j += BLOCK, blockBase += BLOCK_BYTES) {
            FloatVector d = FloatVector.broadcast(F_SPECIES, f16(segment, blockBase));
            ByteVector q = ByteVector.fromMemorySegment(ByteVector.SPECIES_256, segment, blockBase + 2, ByteOrder.LITTLE_ENDIAN);
            if (lanes == 16) {
                FloatVector s = ((FloatVector) q.castShape(F_SPECIES, 0)).mul(FloatVector.fromArray(F_SPECIES, x, xOffset + j));
                s = ((FloatVector) q.castShape(F_SPECIES, 1)).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + j + 16), s);
                acc = s.fma(d, acc);
            } else {
                FloatVector s = FloatVector.zero(F_SPECIES);
                for (int p = 0; p < BLOCK / lanes; p++) {
                    s = ((FloatVector) q.castShape(F_SPECIES, p)).fma(FloatVector.fromArray(F_SPECIES, x, xOffset + j + p * lanes), s);
                }
                acc = s.fma(d, acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        long blockBase = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j < n; j += BLOCK, blockBase += BLOCK_BYTES) {
            float d = f16(segment, blockBase);
            for (int k = 0; k < BLOCK; k++) {
                out[outOffset + j + k] = d * segment.get(ValueLayout.JAVA_BYTE, blockBase + 2 + k);
            }
        }
    }
}
