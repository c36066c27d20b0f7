package dev.winnow.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;

/**
 * The repacked (row-interleaved) Q8_0/Q4_0 layouts against the plain kernels and the scalar
 * reference kernels, on awkward shapes: 1 row, odd block counts, rows not divisible by the
 * interleave, more threads than rows, ranges that start and end inside a group.
 */
class InterleavedTensorTest {
    static Stream<Arguments> shapes() {
        int[][] shapes = {{1, 32}, {1, 96}, {2, 160}, {3, 32}, {4, 64}, {5, 96}, {7, 224}, {9, 2048}, {13, 544}, {64, 576}};
        Stream.Builder<Arguments> b = Stream.builder();
        for (GgmlType t : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0}) {
            for (int[] s : shapes) b.add(Arguments.of(t, s[0], s[1]));
        }
        return b.build();
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * (i % 7 == 0 ? 3 : 1));
        return v;
    }

    private static FloatTensor plain(GgmlType type, int rows, int cols) {
        byte[] bytes = Quantizer.quantize(type, random(rows * cols, rows * 31L + cols));
        return FloatTensor.of(type, MemorySegment.ofArray(bytes), (long) rows * cols);
    }

    @ParameterizedTest(name = "{0} {1}×{2}")
    @MethodSource("shapes")
    void sameBitsAsThePlainKernelForEveryRange(GgmlType type, int rows, int cols) {
        assumeThat(Repacker.repacks(type, cols)).as("16-lane kernels on this CPU").isTrue();
        FloatTensor plain = plain(type, rows, cols);
        float[] x = random(cols, 7);
        Q8Activations q = plain.takesQ8Activations() ? new Q8Activations().quantize(x, cols) : null;
        try (Arena arena = Arena.ofConfined()) {
            FloatTensor packed = Repacker.repack(plain, rows, cols, arena, false);
            assertThat(packed).isInstanceOf(InterleavedTensor.class);
            assertThat(packed.type()).isEqualTo(type);
            float[] expected = new float[rows];
            plain.dotRows(0, rows, cols, x, 0, q, expected, 0);
            for (int from = 0; from < rows; from++) {
                for (int to = from + 1; to <= rows; to += Math.max(1, rows / 5)) {
                    float[] got = new float[rows];
                    java.util.Arrays.fill(got, Float.NaN);
                    packed.dotRows(from, to, cols, x, 0, q, got, 0);
                    for (int r = 0; r < rows; r++) {
                        if (r >= from && r < to) {
                            assertThat(got[r]).as("row %d of [%d, %d)", r, from, to).isEqualTo(expected[r]);
                        } else {
                            assertThat(got[r]).as("row %d outside [%d, %d) untouched", r, from, to).isNaN();
                        }
                    }
                }
            }
            // input and output at offsets (several tokens in one buffer)
            float[] x2 = new float[3 * cols];
            System.arraycopy(x, 0, x2, cols, cols);
            float[] got2 = new float[rows + 3];
            packed.dotRows(0, rows, cols, x2, cols, q, got2, 3);
            assertThat(java.util.Arrays.copyOfRange(got2, 3, rows + 3)).containsExactly(expected);
            assertThat(packed.rowsPerPass()).isEqualTo(InterleavedTensor.ROWS);
            // …and the scalar reference kernel (independent of both layouts), within rounding.
            for (int r = 0; r < rows; r++) {
                float ref = type == GgmlType.Q4_0 ? ((Q4_0Tensor) plain).scalarDot((long) r * cols, q, cols)
                        : q != null ? ((Q8_0Tensor) plain).scalarDot((long) r * cols, q, cols)
                        : ((Q8_0Tensor) plain).scalarDot((long) r * cols, x, 0, cols);
                assertThat(expected[r]).isCloseTo(ref, org.assertj.core.api.Assertions.within(1e-3f * (1 + Math.abs(ref))));
                if (q != null) assertThat(packed.dot((long) r * cols, q, cols)).isCloseTo(ref,
                        org.assertj.core.api.Assertions.within(1e-3f * (1 + Math.abs(ref))));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}×{2}")
    @MethodSource("shapes")
    void decodesEveryValueAsThePlainLayout(GgmlType type, int rows, int cols) {
        assumeThat(Repacker.repacks(type, cols)).isTrue();
        FloatTensor plain = plain(type, rows, cols);
        try (Arena arena = Arena.ofConfined()) {
            FloatTensor packed = Repacker.repack(plain, rows, cols, arena, false);
            assertThat(packed.toFloatArray()).containsExactly(plain.toFloatArray());
            // prefill decodes row groups that start anywhere
            int n = Math.min(rows, 3) * cols;
            float[] a = new float[n], b = new float[n];
            long off = (long) (rows - n / cols) * cols;
            plain.dequantize(off, a, 0, n);
            packed.dequantize(off, b, 0, n);
            assertThat(b).containsExactly(a);
            long last = (long) rows * cols - 1;
            assertThat(packed.getFloat(last)).isEqualTo(plain.getFloat(last));
            float[] x = random(cols, 3);
            assertThat(packed.dot(off, x, 0, cols)).isCloseTo(plain.dot(off, x, 0, cols),
                    org.assertj.core.api.Assertions.within(1e-3f * (1 + Math.abs(plain.dot(off, x, 0, cols)))));
        }
    }

    @ParameterizedTest(name = "{0} {1}×{2}")
    @MethodSource("shapes")
    void matvecWithMoreThreadsThanRowsAndOneThread(GgmlType type, int rows, int cols) {
        assumeThat(Repacker.repacks(type, cols)).isTrue();
        FloatTensor plain = plain(type, rows, cols);
        FloatTensor other = plain(GgmlType.Q8_0, 3, cols);
        float[] x = random(cols, 11);
        try (Arena arena = Arena.ofConfined(); Parallel one = new Parallel(1); Parallel many = new Parallel(rows + 2)) {
            FloatTensor packed = Repacker.repack(plain, rows, cols, arena, false);
            FloatTensor packedOther = Repacker.repack(other, 3, cols, arena, false);
            float[] expected = new float[rows], expectedOther = new float[3];
            MatMul.matvec(one, new FloatTensor[] {plain, other}, new int[] {rows, 3}, cols, x, new float[][] {expected, expectedOther});
            for (Parallel p : new Parallel[] {one, many}) {
                float[] got = new float[rows], gotOther = new float[3];
                MatMul.matvec(p, new FloatTensor[] {packed, packedOther}, new int[] {rows, 3}, cols, x, new float[][] {got, gotOther});
                assertThat(got).containsExactly(expected);
                assertThat(gotOther).containsExactly(expectedOther);
                float[] single = new float[rows];
                MatMul.matvec(p, packed, rows, cols, x, single);
                assertThat(single).containsExactly(expected);
                // decoding's path (MatMul.matvecRows): one token (the whole range per call) and two tokens
                // (piece by piece), token 1 and 2 of a three-token buffer
                float[] xs = new float[3 * cols];
                System.arraycopy(x, 0, xs, cols, cols);
                System.arraycopy(x, 0, xs, 2 * cols, cols);
                for (int count = 1; count <= 2; count++) {
                    float[] rowsOut = new float[3 * rows], otherOut = new float[3 * 3];
                    MatMul.matvecRows(p, new FloatTensor[] {packed, packedOther}, new int[] {rows, 3}, cols, xs, 1, count,
                            new float[][] {rowsOut, otherOut});
                    for (int b = 1; b <= count; b++) {
                        assertThat(java.util.Arrays.copyOfRange(rowsOut, b * rows, (b + 1) * rows)).as("token %d of %d", b, count)
                                .containsExactly(expected);
                        assertThat(java.util.Arrays.copyOfRange(otherOut, b * 3, b * 3 + 3)).containsExactly(expectedOther);
                    }
                }
            }
        }
    }
}
