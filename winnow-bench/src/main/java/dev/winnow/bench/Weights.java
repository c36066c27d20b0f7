package dev.winnow.bench;

import dev.winnow.tensor.FloatTensor;
import dev.winnow.tensor.GgmlType;
import dev.winnow.tensor.Quantizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/** Random matrices and vectors for the kernel benchmarks (off-heap, like a mapped model file). */
final class Weights {
    private Weights() {
    }

    static float[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((r.nextDouble() - 0.5) * 2);
        return v;
    }

    /** A rows × cols matrix of {@code type} in native memory owned by {@code arena}. */
    static FloatTensor matrix(GgmlType type, int rows, int cols, Arena arena) {
        byte[] bytes = Quantizer.quantize(type, gaussian(rows * cols, 42));
        MemorySegment seg = arena.allocate(bytes.length, 64);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, seg, 0, bytes.length);
        return FloatTensor.of(type, seg, (long) rows * cols);
    }
}
