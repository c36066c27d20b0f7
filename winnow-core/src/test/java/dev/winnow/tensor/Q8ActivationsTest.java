package dev.winnow.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** 8-bit activations and the Q4_0 kernel that takes them, against simple references. */
class Q8ActivationsTest {
    @Test
    /** As llama.cpp's {@code quantize_row_q8_0}: codes {@code rint(x · (127 / max))}, scale {@code max / 127} rounded to f16. */
    void quantizesEachBlockToItsMaxOver127RoundingToNearest() {
        Random r = new Random(3);
        int n = 32 * 7;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * (1 + i / 32));
        for (int k = 64; k < 96; k++) x[k] = 0f; // an all-zero block: scale 0, codes 0
        x[5] = 2.5f * (Math.abs(x[5]) + 10); // a block whose max is exactly representable
        Q8Activations a = new Q8Activations().quantize(x, n);
        assertThat(a.length()).isEqualTo(n);
        for (int b = 0; b < n / 32; b++) {
            float amax = 0;
            for (int k = 0; k < 32; k++) amax = Math.max(amax, Math.abs(x[b * 32 + k]));
            float d = amax / 127f;
            assertThat(a.scale(b)).as("block %d scale", b).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(d)));
            for (int k = 0; k < 32; k++) {
                int i = b * 32 + k;
                int want = d == 0f ? 0 : (int) Math.rint(x[i] * (127f / amax));
                assertThat(a.code(i)).as("code %d", i).isEqualTo(want).isBetween(-127, 127);
                // f16 keeps 11 significant bits: the scale is within 2^-11 of max/127, so |code| ≤ 127 adds at most 127·d·2^-11
                assertThat((double) a.scale(b) * a.code(i)).isCloseTo(x[i], Offset.offset(d / 2.0 + 127 * d / 2048.0 + 1e-7));
            }
        }
    }

    @Test
    void rejectsALengthThatIsNotWholeBlocks() {
        assertThatThrownBy(() -> new Q8Activations().quantize(new float[40], 40))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("40");
    }

    @Test
    void aReusedInstanceForgetsTheLongerVectorBefore() {
        Q8Activations a = new Q8Activations();
        float[] big = new float[128];
        java.util.Arrays.fill(big, 3f);
        a.quantize(big, 128);
        float[] small = new float[32];
        small[0] = -1f;
        a.quantize(small, 32);
        assertThat(a.length()).isEqualTo(32);
        assertThat(a.code(0)).isEqualTo(-127);
        assertThat(a.scale(0)).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(1f / 127f)));
    }

    /** Awkward shapes: one block, an odd number of blocks (the kernels' one-block tail), one row, many rows. */
    @ParameterizedTest(name = "{0}: {1} rows × {2} columns")
    @CsvSource({
        "Q4_0, 1, 32", "Q4_0, 3, 96", "Q4_0, 5, 2080", "Q4_0, 1, 4096", "Q4_0, 17, 160",
        "Q8_0, 1, 32", "Q8_0, 3, 96", "Q8_0, 5, 2080", "Q8_0, 1, 4096", "Q8_0, 17, 160",
    })
    void kernelMatchesTheIntegerReferenceAndTheFloatDot(String typeName, int rows, int cols) {
        GgmlType type = GgmlType.valueOf(typeName);
        Random r = new Random(rows * 31L + cols);
        FloatTensor w = FloatTensor.of(type, MemorySegment.ofArray(randomBlocks(type, rows * cols / 32, r)), (long) rows * cols);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) r.nextGaussian();
        Q8Activations a = new Q8Activations().quantize(x, cols);
        float[] row = new float[cols];
        for (int rowIdx = 0; rowIdx < rows; rowIdx++) {
            long off = (long) rowIdx * cols;
            w.dequantize(off, row, 0, cols);
            double exact = 0, mag = 0, onCodes = 0;
            for (int i = 0; i < cols; i++) {
                exact += (double) row[i] * x[i];
                mag += Math.abs((double) row[i] * x[i]);
                onCodes += (double) row[i] * a.scale(i / 32) * a.code(i);
            }
            float reference = w instanceof Q4_0Tensor q4 ? q4.scalarDot(off, a, cols) : ((Q8_0Tensor) w).scalarDot(off, a, cols);
            assertThat((double) reference).as("row %d: integer reference vs the same sum in doubles", rowIdx)
                    .isCloseTo(onCodes, Offset.offset(1e-5 * mag + 1e-9));
            if (w.takesQ8Activations()) {
                float kernel = w.dot(off, a, cols);
                assertThat((double) kernel).as("row %d: kernel vs integer reference", rowIdx)
                        .isCloseTo(reference, Offset.offset(1e-5 * mag + 1e-9));
            }
            // What quantizing the input costs: within 1 % of the sum's magnitude of the float answer.
            assertThat((double) reference).as("row %d: 8-bit input vs float input", rowIdx)
                    .isCloseTo(exact, Offset.offset(1e-2 * mag + 1e-9));
        }
    }

    /**
     * The several-vector kernel ({@code dots}: batched decoding, draft verification) gives each
     * vector the bits of the one-vector kernel: 1 to 9 vectors (groups of four and leftovers),
     * odd block counts, and extreme codes (weights −128, inputs at ±max).
     */
    @ParameterizedTest(name = "{0}: {1} vectors × {2} columns")
    @CsvSource({
        "Q4_0, 1, 32", "Q4_0, 4, 96", "Q4_0, 5, 2080", "Q4_0, 9, 160", "Q4_0, 8, 4096",
        "Q8_0, 1, 32", "Q8_0, 2, 32", "Q8_0, 3, 96", "Q8_0, 4, 96", "Q8_0, 5, 2080", "Q8_0, 7, 160", "Q8_0, 8, 4096", "Q8_0, 9, 64",
    })
    void severalVectorsAtOnceGiveEachTheBitsOfOne(String typeName, int count, int cols) {
        GgmlType type = GgmlType.valueOf(typeName);
        Random r = new Random(count * 131L + cols);
        int rows = 3;
        byte[] blocks = randomBlocks(type, rows * cols / 32, r);
        if (type == GgmlType.Q8_0) for (int k = 0; k < 32; k++) blocks[2 + k] = (byte) -128; // row 0, block 0: the extreme code
        FloatTensor w = FloatTensor.of(type, MemorySegment.ofArray(blocks), (long) rows * cols);
        if (!w.takesQ8Activations()) return; // no 8-bit kernel on this CPU: nothing to compare
        Q8Activations[] a = new Q8Activations[count];
        for (int b = 0; b < count; b++) {
            float[] x = new float[cols];
            for (int i = 0; i < cols; i++) x[i] = (float) (r.nextGaussian() * (1 + b));
            if (b == 0) java.util.Arrays.fill(x, 0, 32, -5f); // codes −127 against the −128 weights
            a[b] = new Q8Activations().quantize(x, cols);
        }
        int stride = 5;
        for (int row = 0; row < rows; row++) {
            long off = (long) row * cols;
            float[] out = new float[2 + count * stride];
            java.util.Arrays.fill(out, Float.NaN);
            w.dots(off, a, count, cols, out, 2, stride);
            for (int b = 0; b < count; b++) {
                assertThat(Float.floatToRawIntBits(out[2 + b * stride])).as("row %d, vector %d", row, b)
                        .isEqualTo(Float.floatToRawIntBits(w.dot(off, a[b], cols)));
            }
            assertThat(out[0]).as("nothing written before the first slot").isNaN();
            assertThat(out[3]).as("nothing written between slots").isNaN();
        }
    }

    /** The largest products: weight −128 times code −127, 32 of them per block, summed in 16-bit lanes in pairs (32512). */
    @Test
    void q8_0ExtremeCodesDoNotOverflowTheSixteenBitLanes() {
        int cols = 96;
        byte[] data = new byte[cols / 32 * 34];
        MemorySegment s = MemorySegment.ofArray(data);
        for (int b = 0; b < cols / 32; b++) {
            s.set(FloatTensor.SHORT_LE, b * 34L, Float.floatToFloat16(1f));
            for (int k = 0; k < 32; k++) data[b * 34 + 2 + k] = (byte) -128;
        }
        FloatTensor w = FloatTensor.of(GgmlType.Q8_0, s, cols);
        float[] x = new float[cols];
        java.util.Arrays.fill(x, -127f);
        Q8Activations a = new Q8Activations().quantize(x, cols);
        assertThat(a.code(0)).isEqualTo(-127);
        assertThat(((Q8_0Tensor) w).scalarDot(0, a, cols)).isEqualTo(3 * 32 * 128 * 127f);
        if (w.takesQ8Activations()) assertThat(w.dot(0, a, cols)).isEqualTo(3 * 32 * 128 * 127f);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"Q4_0", "Q8_0"})
    void matvecUsesTheKernelOnEveryRowAndAgreesWithTheFloatProduct(String typeName) {
        GgmlType type = GgmlType.valueOf(typeName);
        int rows = 77, cols = 608;
        Random r = new Random(11);
        FloatTensor w = FloatTensor.of(type, MemorySegment.ofArray(randomBlocks(type, rows * cols / 32, r)), (long) rows * cols);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) r.nextGaussian();
        float[] out = new float[rows];
        try (Parallel par = new Parallel(2)) {
            MatMul.matvec(par, w, rows, cols, x, out);
        }
        Q8Activations a = new Q8Activations().quantize(x, cols);
        for (int i = 0; i < rows; i++) {
            float want = w.takesQ8Activations() ? w.dot((long) i * cols, a, cols) : w.dot((long) i * cols, x, 0, cols);
            assertThat(out[i]).as("row %d", i).isEqualTo(want);
        }
    }

    @Test
    void severalMatricesOfMixedTypesShareOneInput() {
        int cols = 96;
        int[] rows = {5, 33, 2};
        GgmlType[] types = {GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.Q4_0};
        Random r = new Random(5);
        FloatTensor[] ws = new FloatTensor[3];
        float[][] outs = new float[3][];
        for (int m = 0; m < 3; m++) {
            ws[m] = FloatTensor.of(types[m], MemorySegment.ofArray(randomBlocks(types[m], rows[m] * cols / 32, r)), (long) rows[m] * cols);
            outs[m] = new float[rows[m]];
        }
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) r.nextGaussian();
        try (Parallel par = new Parallel(2)) {
            MatMul.matvec(par, ws, rows, cols, x, outs);
        }
        Q8Activations a = new Q8Activations().quantize(x, cols);
        for (int m = 0; m < 3; m++) {
            for (int i = 0; i < rows[m]; i++) {
                FloatTensor w = ws[m];
                float want = w.takesQ8Activations() ? w.dot((long) i * cols, a, cols) : w.dot((long) i * cols, x, 0, cols);
                assertThat(outs[m][i]).as("matrix %d row %d", m, i).isEqualTo(want);
            }
        }
    }

    /** Random codes with f16 scales of random sign. */
    private static byte[] randomBlocks(GgmlType type, int blocks, Random r) {
        byte[] data = new byte[blocks * type.typeSize()];
        r.nextBytes(data);
        MemorySegment s = MemorySegment.ofArray(data);
        for (int b = 0; b < blocks; b++) {
            float d = (float) ((r.nextBoolean() ? 1 : -1) * (0.001 + 0.02 * r.nextDouble()));
            s.set(FloatTensor.SHORT_LE, (long) b * type.typeSize(), Float.floatToFloat16(d));
        }
        return data;
    }
}
