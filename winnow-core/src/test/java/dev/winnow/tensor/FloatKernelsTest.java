package dev.winnow.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The plain-float kernels (dot, axpy) against double-precision loops, at sizes around the vector width. */
class FloatKernelsTest {
    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {1, 7, 15, 16, 17, 33, 64, 100})
    void dotAndAxpyMatchTheSimpleLoops(int n) {
        Random r = new Random(n);
        float[] x = new float[n + 5], y = new float[n + 3];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        for (int i = 0; i < y.length; i++) y[i] = (float) r.nextGaussian();
        double dot = 0, mag = 0;
        for (int i = 0; i < n; i++) {
            dot += (double) x[5 + i] * y[3 + i];
            mag += Math.abs((double) x[5 + i] * y[3 + i]);
        }
        assertThat((double) FloatTensor.dot(x, 5, y, 3, n)).isCloseTo(dot, within(1e-5 * mag + 1e-9));

        float a = 0.75f;
        float[] before = y.clone();
        FloatTensor.axpy(a, x, 5, y, 3, n);
        for (int i = 0; i < y.length; i++) {
            double want = i < 3 ? before[i] : before[i] + (double) a * x[5 + i - 3];
            assertThat((double) y[i]).as("y[%d]", i).isCloseTo(want, within(1e-6 * (1 + Math.abs(want))));
        }
    }
}
