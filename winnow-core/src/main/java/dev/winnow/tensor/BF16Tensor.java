package dev.winnow.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** bfloat16 tensor: the upper 16 bits of a float. */
public final class BF16Tensor extends FloatTensor {
    private static final VectorSpecies<Short> S_SPECIES = F_SPECIES.length() == 16 ? ShortVector.SPECIES_256 : ShortVector.SPECIES_128;

    private static final VectorSpecies<Integer> I_SPECIES = VectorSpecies.of(int.class, F_SPECIES.vectorShape());

    public BF16Tensor(MemorySegment segment, long size) {
        super(segment, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    @Override
    public float getFloat(long index) {
        return bf16ToFloat(segment.get(SHORT_LE, index * 2));
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int n) {
        int i = 0;
        float sum = 0f;
        if (USE_VECTOR) {
            FloatVector acc = FloatVector.zero(F_SPECIES);
            int upper = F_SPECIES.loopBound(n);
            for (; i < upper; i += F_SPECIES.length()) {
                ShortVector s = ShortVector.fromMemorySegment(S_SPECIES, segment, (offset + i) * 2, ByteOrder.LITTLE_ENDIAN);
                FloatVector w = s.castShape(I_SPECIES, 0)
                        .reinterpretAsInts().lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                acc = w.fma(FloatVector.fromArray(F_SPECIES, x, xOffset + i), acc);
            }
            sum = FloatTensor.sum(acc);
        }
        for (; i < n; i++) sum += getFloat(offset + i) * x[xOffset + i];
        return sum;
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) out[outOffset + i] = getFloat(offset + i);
    }
}
