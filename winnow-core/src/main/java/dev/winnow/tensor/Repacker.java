package dev.winnow.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;

/**
 * Makes the {@link InterleavedTensor} form of a Q8_0 or Q4_0 matrix at load time, in off-heap
 * memory ({@link OffHeap}: huge pages where the OS offers them). Other types, and CPUs where the
 * 16-lane kernels are not used, keep the plain mapping.
 */
public final class Repacker {
    private Repacker() {
    }

    /** Whether {@link #repack} changes a {@code type} matrix of {@code cols} columns on this CPU. */
    public static boolean repacks(GgmlType type, int cols) {
        if (cols <= 0 || cols % InterleavedTensor.BLOCK != 0) return false;
        return switch (type) {
            case Q8_0 -> FloatTensor.USE_VECTOR && FloatTensor.F_SPECIES.length() == 16;
            case Q4_0 -> FloatTensor.Q8_KERNELS;
            default -> false;
        };
    }

    /** Bytes of the repacked quants (off-heap; 0 when {@link #repacks} is false). */
    public static long quantBytes(GgmlType type, int rows, int cols) {
        if (!repacks(type, cols)) return 0;
        return InterleavedTensor.quantRegionBytes(rows, cols, quantBytes(type));
    }

    private static int quantBytes(GgmlType type) {
        return type == GgmlType.Q8_0 ? InterleavedQ8_0Tensor.QUANT_BYTES : InterleavedQ4_0Tensor.QUANT_BYTES;
    }

    /**
     * The repacked form of {@code plain} (rows × cols), in memory owned by {@code arena}; {@code plain}
     * itself when its type is not repacked. With {@code releaseSource}, the plain bytes' pages are
     * then dropped from memory (they are re-read from the file if touched again).
     */
    public static FloatTensor repack(FloatTensor plain, int rows, int cols, Arena arena, boolean releaseSource) {
        if (!repacks(plain.type(), cols) || plain.size() != (long) rows * cols) return plain;
        MemorySegment dst = OffHeap.allocate(quantBytes(plain.type(), rows, cols), arena);
        FloatTensor t = writeInto(plain, rows, cols, dst, new short[InterleavedTensor.slots(rows, cols)]);
        if (releaseSource) OffHeap.release(plain.segment());
        return t;
    }

    /**
     * Writes the repacked form of {@code plain} into {@code dst} (zeroed, at least {@link #quantBytes}
     * bytes) and {@code scales} (zeroed, {@code InterleavedTensor.slots} long) and wraps them.
     */
    public static InterleavedTensor writeInto(FloatTensor plain, int rows, int cols, MemorySegment dst, short[] scales) {
        GgmlType type = plain.type();
        int qb = quantBytes(type);
        int srcBlock = qb + 2;
        int blocks = cols / InterleavedTensor.BLOCK;
        MemorySegment src = plain.segment();
        var species = qb == 32 ? ByteVector.SPECIES_256 : ByteVector.SPECIES_128;
        int R = InterleavedTensor.ROWS;
        for (int row = 0; row < rows; row++) {
            long in = (long) row * blocks * srcBlock;
            long slot = (long) (row / R) * blocks * R + row % R;
            for (int j = 0; j < blocks; j++, in += srcBlock, slot += R) {
                ByteVector.fromMemorySegment(species, src, in + 2, ByteOrder.LITTLE_ENDIAN)
                        .intoMemorySegment(dst, slot * qb, ByteOrder.LITTLE_ENDIAN);
                scales[(int) slot] = src.get(ValueLayout.JAVA_SHORT_UNALIGNED, in);
            }
        }
        return type == GgmlType.Q8_0 ? new InterleavedQ8_0Tensor(dst, scales, rows, cols)
                : new InterleavedQ4_0Tensor(dst, scales, rows, cols);
    }
}
