package dev.winnow.tensor;

/**
 * Matrix products of a weight matrix (rows × cols, row-major, encoded) with float activations,
 * split over a {@link Parallel} pool.
 */
public final class MatMul {
    /** Weight rows decoded together in {@link #matmul}. */
    private static final int ROW_GROUP = Tile.ROWS;
    /** Tokens whose activations stay cache-resident while a thread walks its rows. */
    private static final int TOKEN_BLOCK = 32;

    /** Fewest weights a thread should get: below this, waking another thread costs more than it saves. */
    private static final int MIN_WEIGHTS_PER_THREAD = 1 << 16;

    private MatMul() {
    }

    private static int minRows(int cols) {
        return Math.max(16, MIN_WEIGHTS_PER_THREAD / Math.max(1, cols));
    }

    /**
     * {@code out[r] = W[r] · x} for {@code r < rows}. For types with an 8-bit-activation kernel
     * ({@link FloatTensor#takesQ8Activations()}) {@code x} is quantized once, here, and every row
     * uses that kernel.
     */
    public static void matvec(Parallel par, FloatTensor w, int rows, int cols, float[] x, float[] out) {
        Q8Activations q = w.takesQ8Activations() ? Q8Activations.forCurrentThread().quantize(x, cols, false) : null;
        par.forRange(rows, minRows(cols), (from, to) -> w.dotRows(from, to, cols, x, 0, q, out, 0));
    }

    /**
     * Several matrix–vector products with the same input in one parallel region (e.g. Q, K and V):
     * {@code outs[m][r] = ws[m][r] · x}. The rows of all matrices are split evenly over the
     * threads, so there is one synchronisation instead of one per matrix.
     */
    public static void matvec(Parallel par, FloatTensor[] ws, int[] rows, int cols, float[] x, float[][] outs) {
        int total = 0;
        boolean anyQ8 = false;
        for (int m = 0; m < ws.length; m++) {
            total += rows[m];
            anyQ8 |= ws[m].takesQ8Activations();
        }
        Q8Activations q = anyQ8 ? Q8Activations.forCurrentThread().quantize(x, cols, false) : null;
        par.forRange(total, minRows(cols), (from, to) -> {
            int start = 0;
            for (int m = 0; m < ws.length; m++) {
                int end = start + rows[m];
                int a = Math.max(from, start), b = Math.min(to, end);
                FloatTensor w = ws[m];
                if (a < b) w.dotRows(a - start, b - start, cols, x, 0, w.takesQ8Activations() ? q : null, outs[m], 0);
                start = end;
            }
        });
    }

    /**
     * The {@link #matvec(Parallel, FloatTensor[], int[], int, float[], float[][])} of each of the
     * tokens {@code first … first + count - 1} of {@code x} (row-major, {@code cols} wide):
     * {@code outs[m][b * rows[m] + r] = ws[m][r] · x[b]}, bit for bit what {@code matvec} gives
     * each token alone, but each weight row is read from memory once for all the tokens (batched
     * decoding of several sequences, which is bound by reading the weights).
     */
    public static void matvecRows(Parallel par, FloatTensor[] ws, int[] rows, int cols, float[] x, int first, int count,
                                  float[][] outs) {
        int total = 0;
        boolean anyQ8 = false;
        for (int m = 0; m < ws.length; m++) {
            total += rows[m];
            anyQ8 |= ws[m].takesQ8Activations();
        }
        Q8Activations[] q = anyQ8 ? new Q8Activations[count] : null;
        if (anyQ8 && first == 0 && count == 1) {
            q[0] = Q8Activations.forCurrentThread().quantize(x, cols, false); // as matvec: no copy, no allocation
        } else if (anyQ8) {
            float[] row = new float[cols];
            for (int b = 0; b < count; b++) {
                System.arraycopy(x, (first + b) * cols, row, 0, cols);
                q[b] = new Q8Activations().quantize(row, cols);
            }
        }
        par.forRange(total, Math.max(1, minRows(cols) / count), (from, to) -> {
            int start = 0;
            for (int m = 0; m < ws.length; m++) {
                int end = start + rows[m];
                int a = Math.max(from, start), e = Math.min(to, end);
                FloatTensor w = ws[m];
                float[] out = outs[m];
                int n = rows[m];
                boolean q8 = w.takesQ8Activations();
                int step = w.rowsPerPass();
                if (step > 1 && count == 1) {
                    // A repacked layout, one token: the whole range in one call, as matvec (one call per
                    // piece of 4 rows cost an allocation and a kernel set-up per piece: 2× slower decoding).
                    if (a < e) w.dotRows(a - start, e - start, cols, x, first * cols, q8 ? q[0] : null, out, first * n);
                } else if (step > 1) {
                    // A repacked layout: rows in the pieces it computes together, every token per piece.
                    for (int r0 = a - start; r0 < e - start; ) {
                        int r1 = Math.min(e - start, (r0 / step + 1) * step);
                        for (int b = first; b < first + count; b++) {
                            w.dotRows(r0, r1, cols, x, b * cols, q8 ? q[b - first] : null, out, b * n);
                        }
                        r0 = r1;
                    }
                } else {
                    // The plain layout: each weight row read once for every token.
                    for (int i = a; i < e; i++) {
                        int r = i - start;
                        long off = (long) r * cols;
                        if (q8 && count == 1) {
                            out[first * n + r] = w.dot(off, q[0], cols);
                        } else if (q8) {
                            w.dots(off, q, count, cols, out, first * n + r, n);
                        } else if (count == 1) {
                            out[first * n + r] = w.dot(off, x, first * cols, cols);
                        } else {
                            w.dots(off, x, first * cols, count, cols, out, first * n + r, n);
                        }
                    }
                }
                start = end;
            }
        });
    }

    /**
     * {@code out[b][r] = W[r] · x[b]} for {@code b < batch}: {@code x} is batch × cols and
     * {@code out} batch × rows, both row-major. Each thread takes a range of rows; for each
     * block of tokens it decodes {@value #ROW_GROUP} weight rows at a time into a float buffer
     * and computes their dot products with the block's tokens in register tiles ({@link Tile}).
     */
    public static void matmul(Parallel par, FloatTensor w, int rows, int cols, float[] x, int batch, float[] out) {
        matmul(par, w, rows, cols, x, 0, batch, out);
    }

    /**
     * {@link #matmul(Parallel, FloatTensor, int, int, float[], int, float[])} of the tokens
     * {@code first … first + batch - 1} of {@code x} into the same rows of {@code out}; each
     * token's result is the one it gets as token {@code b - first} of a batch of its own.
     */
    public static void matmul(Parallel par, FloatTensor w, int rows, int cols, float[] x, int first, int batch, float[] out) {
        if (batch == 1) {
            matvecRows(par, new FloatTensor[] {w}, new int[] {rows}, cols, x, first, 1, new float[][] {out});
            return;
        }
        int groups = (rows + ROW_GROUP - 1) / ROW_GROUP;
        int end = first + batch;
        par.forRange(groups, 1, (from, to) -> {
            float[] buf = new float[ROW_GROUP * cols];
            float[] scratch = new float[Tile.SCRATCH];
            int rowFrom = from * ROW_GROUP, rowTo = Math.min(rows, to * ROW_GROUP);
            for (int b0 = first; b0 < end; b0 += TOKEN_BLOCK) {
                int b1 = Math.min(end, b0 + TOKEN_BLOCK);
                for (int r = rowFrom; r < rowTo; r += ROW_GROUP) {
                    int nr = Math.min(ROW_GROUP, rowTo - r);
                    w.dequantize((long) r * cols, buf, 0, nr * cols);
                    if (nr == ROW_GROUP) {
                        int b = b0;
                        for (; b + Tile.TOKENS <= b1; b += Tile.TOKENS) Tile.dot4x4(buf, cols, x, b, out, r, rows, scratch);
                        for (; b < b1; b++) {
                            for (int i = 0; i < nr; i++) {
                                out[b * rows + r + i] = FloatTensor.dot(buf, i * cols, x, b * cols, cols);
                            }
                        }
                    } else {
                        for (int b = b0; b < b1; b++) {
                            for (int i = 0; i < nr; i++) {
                                out[b * rows + r + i] = FloatTensor.dot(buf, i * cols, x, b * cols, cols);
                            }
                        }
                    }
                }
            }
        });
    }
}
