package dev.winnow.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A Q8_0 or Q4_0 weight matrix repacked at load for decoding ({@link Repacker}): rows in groups
 * of {@value #ROWS}, and within a group, block {@code j} of every row stored side by side, so
 * one sequential stream of whole cache lines feeds {@value #ROWS} dot products, each input
 * vector is loaded once for {@value #ROWS} rows, and no 32-byte load straddles a cache line.
 * The quants are off-heap (64-byte aligned: a group's block is 128 bytes for Q8_0, 64 for Q4_0);
 * the f16 scales are separate, in a {@code short[]} in the same order (read from an array, their
 * loads cost the JIT far fewer nodes than segment reads, which kept it from inlining the
 * four-row kernel). The last group is padded with zero rows.
 *
 * <p>Slot of (row, block): {@code (row / 4 · blocks + block) · 4 + row % 4}; its quants at
 * {@code slot · quantBytes}, its scale at {@code scales[slot]}. The kernels add in exactly the
 * order of the plain kernels ({@link Q8_0Tensor}, {@link Q4_0Tensor}), so the results are the
 * same bits.
 */
public abstract sealed class InterleavedTensor extends FloatTensor permits InterleavedQ8_0Tensor, InterleavedQ4_0Tensor {
    /** Rows interleaved per group. */
    public static final int ROWS = 4;
    static final int BLOCK = 32;

    protected final int rows;
    protected final int cols;
    /** Blocks per row. */
    protected final int blocks;
    /** Bytes of quants per block (32 for Q8_0, 16 for Q4_0). */
    protected final int quantBytes;
    /** The f16 scales by slot. */
    protected final short[] scales;

    InterleavedTensor(MemorySegment segment, short[] scales, int rows, int cols, int quantBytes) {
        super(segment, (long) rows * cols, type -> quantRegionBytes(rows, cols, quantBytes));
        this.rows = rows;
        this.cols = cols;
        this.blocks = cols / BLOCK;
        this.quantBytes = quantBytes;
        this.scales = scales;
        if (cols % BLOCK != 0 || scales.length < slots(rows, cols)) {
            throw new IllegalArgumentException("interleaved " + type() + " " + rows + " × " + cols + ": "
                    + scales.length + " scales, needs " + slots(rows, cols));
        }
    }

    static long groups(int rows) {
        return (rows + ROWS - 1) / ROWS;
    }

    static long quantRegionBytes(int rows, int cols, int quantBytes) {
        return groups(rows) * (cols / BLOCK) * ROWS * quantBytes;
    }

    /** Blocks (and scales) of the repacked form, padding rows included. */
    static int slots(int rows, int cols) {
        return Math.toIntExact(groups(rows) * (cols / BLOCK) * ROWS);
    }

    @Override
    public long byteSize() {
        return segment.byteSize() + 2L * scales.length;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Index of (row, block) in the interleaved order. */
    final long slot(int row, int block) {
        return ((long) (row / ROWS) * blocks + block) * ROWS + row % ROWS;
    }

    final float scale(long slot) {
        return Float.float16ToFloat(scales[(int) slot]);
    }

    /** Decodes the block at {@code slot} into {@code out[outOff, outOff + 32)}. */
    abstract void decodeBlock(long slot, float[] out, int outOff);

    /** Value {@code k} (0–31) of the block at {@code slot}, without its scale. */
    abstract int code(long slot, int k);

    @Override
    public float getFloat(long index) {
        int row = (int) (index / cols), col = (int) (index % cols);
        long slot = slot(row, col / BLOCK);
        return scale(slot) * code(slot, col % BLOCK);
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        long first = offset / BLOCK;
        for (int j = 0; j < n; j += BLOCK) {
            long b = first + j / BLOCK;
            decodeBlock(slot((int) (b / blocks), (int) (b % blocks)), out, outOffset + j);
        }
    }

    /** Both layouts have 8-bit-activation kernels ({@code twoRows}); Q4_0 is only repacked when they run. */
    @Override
    public boolean takesQ8Activations() {
        return Q8_KERNELS;
    }

    /** Row-wise dot product with 8-bit activations (slow path for single rows; {@link #dotRows} is the kernel). */
    @Override
    public float dot(long offset, Q8Activations a, int n) {
        float sum = 0f;
        for (int j = 0; j < n; j += BLOCK) {
            long b = (offset + j) / BLOCK;
            long slot = slot((int) (b / blocks), (int) (b % blocks));
            int s = 0;
            for (int k = 0; k < BLOCK; k++) s += code(slot, k) * a.code(j + k);
            sum += scale(slot) * a.scale(j / BLOCK) * s;
        }
        return sum;
    }

    /** Row-wise dot product (slow path for single rows; {@link #dotRows} is the kernel). */
    @Override
    public float dot(long offset, float[] x, int xOffset, int n) {
        float[] buf = new float[BLOCK];
        float sum = 0f;
        for (int j = 0; j < n; j += BLOCK) {
            dequantize(offset + j, buf, 0, BLOCK);
            for (int k = 0; k < BLOCK; k++) sum += buf[k] * x[xOffset + j + k];
        }
        return sum;
    }

    @Override
    public int rowsPerPass() {
        return ROWS;
    }

    /**
     * The 8-bit-activation kernel over rows {@code [from, to)}: per group, {@link #twoRows} for
     * rows 0–1 and 2–3 (four rows in one loop body were more than C2 compiled well), then
     * {@link #store}.
     */
    final void dotRowsQ8(int from, int to, Q8Activations act, float[] out, int outOff) {
        if (from >= to) return;
        float[] sums = new float[16 * ROWS];
        for (int g = from / ROWS, gEnd = (to - 1) / ROWS; g <= gEnd; g++) {
            twoRows(g, 0, act, sums);
            twoRows(g, 2, act, sums);
            store(g, sums, from, to, out, outOff);
        }
    }

    /** Rows {@code r, r+1} of group {@code g} over 8-bit activations: their lane sums into {@code sums[16 r, 16 r + 32)}. */
    abstract void twoRows(int g, int r, Q8Activations act, float[] sums);

    /** Writes the group's sums ({@code sums[16 r, 16 r + 16)} for row {@code g·4 + r}) for the rows inside {@code [from, to)}. */
    final void store(int group, float[] sums, int from, int to, float[] out, int outOff) {
        for (int r = 0; r < ROWS; r++) {
            int row = group * ROWS + r;
            if (row >= from && row < to) out[outOff + row] = sum16(sums, 16 * r);
        }
    }

    static byte get(MemorySegment s, long off) {
        return s.get(ValueLayout.JAVA_BYTE, off);
    }
}
