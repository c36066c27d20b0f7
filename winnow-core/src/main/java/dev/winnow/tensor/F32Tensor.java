package dev.winnow.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** 32-bit float tensor. */
public final class F32Tensor extends FloatTensor {
    public F32Tensor(MemorySegment segment, long size) {
        super(segment, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public float getFloat(long index) {
        return segment.get(FLOAT_LE, index * 4);
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int n) {
        int i = 0;
        float sum = 0f;
        if (USE_VECTOR) {
            FloatVector acc = FloatVector.zero(F_SPECIES);
            int upper = F_SPECIES.loopBound(n);
            for (; i < upper; i += F_SPECIES.length()) {
                FloatVector w = FloatVector.fromMemorySegment(F_SPECIES, segment, (offset + i) * 4, ByteOrder.LITTLE_ENDIAN);
                acc = w.fma(FloatVector.fromArray(F_SPECIES, x, xOffset + i), acc);
            }
            sum = FloatTensor.sum(acc);
        }
        for (; i < n; i++) sum += getFloat(offset + i) * x[xOffset + i];
        return sum;
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        MemorySegment.copy(segment, FLOAT_LE, offset * 4, out, outOffset, n);
    }
}
