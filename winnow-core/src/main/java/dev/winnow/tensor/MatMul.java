package dev.winnow.tensor;

/**
 * Matrix products of a weight matrix (rows × cols, row-major, encoded) with float activations,
 * split over a {@link Parallel} pool.
 */
public final class MatMul {
    /** Tokens processed together per weight row in {@link #matmul}: the row is decoded once per group. */
    private static final int TOKEN_GROUP = 4;

    private MatMul() {
    }

    /** {@code out[r] = W[r] · x} for {@code r < rows}. */
    public static void matvec(Parallel par, FloatTensor w, int rows, int cols, float[] x, float[] out) {
        par.forRange(rows, 16, (from, to) -> {
            for (int r = from; r < to; r++) out[r] = w.dot((long) r * cols, x, 0, cols);
        });
    }

    /**
     * {@code out[b][r] = W[r] · x[b]} for {@code b < batch}: {@code x} is batch × cols and
     * {@code out} batch × rows, both row-major. Each thread decodes a weight row once into a
     * float buffer and reuses it for every token of the batch.
     */
    public static void matmul(Parallel par, FloatTensor w, int rows, int cols, float[] x, int batch, float[] out) {
        if (batch == 1) {
            matvec(par, w, rows, cols, x, out);
            return;
        }
        par.forRange(rows, 4, (from, to) -> {
            float[] row = new float[cols];
            for (int r = from; r < to; r++) {
                w.dequantize((long) r * cols, row, 0, cols);
                int b = 0;
                for (; b + TOKEN_GROUP <= batch; b += TOKEN_GROUP) {
                    Dot4.dot4(row, x, b * cols, cols, out, b * rows + r, rows);
                }
                for (; b < batch; b++) out[b * rows + r] = FloatTensor.dot(row, 0, x, b * cols, cols);
            }
        });
    }
}
