package dev.winnow.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Q4_0 × 8-bit-activation kernel's float accumulation order, bit for bit, against a scalar
 * model of it written out here (the contract a multi-row kernel must reproduce):
 * <ol>
 *   <li>block b, lane i (0–15): the exact integer (nibble i − 8)·code i + (nibble i+16 − 8)·code i+16;</li>
 *   <li>{@code acc[b % 2][i] = fma((float) lane, f16(d_b) · xd_b, acc[b % 2][i])}, blocks in increasing
 *       order (even blocks into accumulator 0, odd into 1; an odd last block is even, so into 0);</li>
 *   <li>{@code v = acc0 + acc1}, {@code h_i = v_i + v_(i+8)}, {@code q_i = h_i + h_(i+4)}, result
 *       {@code (q0 + q2) + (q1 + q3)} ({@link FloatTensor#sum}'s order).</li>
 * </ol>
 * Shapes: one block, odd block counts (the one-block tail), one row, the 135M shape's 576 and
 * 1536 columns, and the last row of a tensor (nothing mapped after it).
 */
class Q4_0KernelOrderTest {
    @ParameterizedTest(name = "{0} rows × {1} columns")
    @CsvSource({"1, 32", "1, 64", "3, 96", "2, 576", "4, 1536", "5, 2080", "1, 4096", "17, 160", "8, 2048"})
    void plainAndRepackedKernelsFollowTheDocumentedOrderBitForBit(int rows, int cols) {
        assumeThat(FloatTensor.Q8_KERNELS).as("8-bit-activation kernels run on 512-bit vectors only").isTrue();
        Random r = new Random(rows * 131L + cols);
        int blocks = rows * cols / 32;
        byte[] data = new byte[blocks * 18];
        r.nextBytes(data);
        MemorySegment s = MemorySegment.ofArray(data);
        for (int b = 0; b < blocks; b++) {
            float d = (float) ((r.nextBoolean() ? 1 : -1) * (0.001 + 0.05 * r.nextDouble()));
            s.set(FloatTensor.SHORT_LE, b * 18L, Float.floatToFloat16(d));
        }
        // The extremes in the first block: all nibbles 0 (weight −8) against codes ±127.
        for (int k = 0; k < 16; k++) data[2 + k] = 0;
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) (r.nextGaussian() * (1 + (i / 32) % 5));
        x[0] = -100f;
        Q8Activations a = new Q8Activations().quantize(x, cols);
        FloatTensor w = FloatTensor.of(GgmlType.Q4_0, s, (long) rows * cols);

        float[] want = new float[rows];
        for (int row = 0; row < rows; row++) {
            want[row] = inDocumentedOrder(s, (long) row * (cols / 32) * 18, a, cols);
            assertThat(Float.floatToRawIntBits(w.dot((long) row * cols, a, cols)))
                    .as("row %d of %d: plain kernel", row, rows).isEqualTo(Float.floatToRawIntBits(want[row]));
        }
        if (Repacker.repacks(GgmlType.Q4_0, cols)) {
            try (Arena arena = Arena.ofConfined()) {
                FloatTensor packed = Repacker.repack(w, rows, cols, arena, false);
                float[] out = new float[rows];
                packed.dotRows(0, rows, cols, x, 0, a, out, 0);
                for (int row = 0; row < rows; row++) {
                    assertThat(Float.floatToRawIntBits(out[row])).as("row %d of %d: repacked kernel", row, rows)
                            .isEqualTo(Float.floatToRawIntBits(want[row]));
                }
            }
        }
    }

    /** The scalar model of the order (see the class comment). */
    private static float inDocumentedOrder(MemorySegment s, long base, Q8Activations a, int n) {
        float[][] acc = new float[2][16];
        for (int b = 0; b < n / 32; b++, base += 18) {
            float scale = Float.float16ToFloat(s.get(FloatTensor.SHORT_LE, base)) * a.scale(b);
            for (int i = 0; i < 16; i++) {
                int q = s.get(ValueLayout.JAVA_BYTE, base + 2 + i) & 0xFF;
                int lane = ((q & 0xF) - 8) * a.code(32 * b + i) + ((q >>> 4) - 8) * a.code(32 * b + i + 16);
                acc[b % 2][i] = Math.fma((float) lane, scale, acc[b % 2][i]);
            }
        }
        float[] v = new float[16];
        for (int i = 0; i < 16; i++) v[i] = acc[0][i] + acc[1][i];
        float[] h = new float[8];
        for (int i = 0; i < 8; i++) h[i] = v[i] + v[i + 8];
        float[] q = new float[4];
        for (int i = 0; i < 4; i++) q[i] = h[i] + h[i + 4];
        return (q[0] + q[2]) + (q[1] + q[3]);
    }
}
