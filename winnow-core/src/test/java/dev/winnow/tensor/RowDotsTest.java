package dev.winnow.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.SharedData;
import dev.winnow.model.Model;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link FloatTensor#dots} (one weight row with several vectors, the batched-decoding kernel) and
 * {@link MatMul#matvecRows} give bit for bit what {@link FloatTensor#dot} and {@link MatMul#matvec}
 * give each vector alone.
 */
class RowDotsTest {
    @ParameterizedTest
    @ValueSource(strings = {"synth-llama-Q8_0.gguf", "synth-llama-Q4_0.gguf", "synth-llama-Q6_K.gguf", "synth-llama.gguf"})
    void dotsAndMatvecRowsEqualTheSingleVectorKernels(String file) {
        try (Model model = Model.load(SharedData.path("models/" + file))) {
            FloatTensor w = model.weights().layers()[1].wq().tensor();
            int cols = model.config().dim(), rows = model.config().qDim();
            SplittableRandom rnd = new SplittableRandom(5);
            for (int count = 1; count <= 9; count++) {
                float[] x = new float[(count + 2) * cols];
                for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                float[] out = new float[(count + 2) * 3];
                for (int r = 0; r < 3; r++) {
                    w.dots((long) r * cols, x, 2 * cols, count, cols, out, 6 + r, 3);
                    for (int b = 0; b < count; b++) {
                        assertThat(out[6 + r + 3 * b]).as("%s row %d vector %d of %d", file, r, b, count)
                                .isEqualTo(w.dot((long) r * cols, x, (2 + b) * cols, cols));
                    }
                }
                float[] all = new float[(count + 2) * rows];
                MatMul.matvecRows(Parallel.shared(), new FloatTensor[] {w}, new int[] {rows}, cols, x, 2, count,
                        new float[][] {all});
                for (int b = 0; b < count; b++) {
                    float[] xi = java.util.Arrays.copyOfRange(x, (2 + b) * cols, (3 + b) * cols);
                    float[] one = new float[rows];
                    MatMul.matvec(Parallel.shared(), w, rows, cols, xi, one);
                    assertThat(java.util.Arrays.copyOfRange(all, (2 + b) * rows, (3 + b) * rows))
                            .as("%s matvecRows vector %d of %d", file, b, count).containsExactly(one);
                }
            }
        }
    }
}
