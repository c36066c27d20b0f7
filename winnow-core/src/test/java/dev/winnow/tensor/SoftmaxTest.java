package dev.winnow.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftmaxTest {
    @Test
    void expMatchesMathExpWithinTwoUlpsDownToUnderflow() {
        for (float x = 0; x > -87.3f; x -= 0.0137f) {
            float want = (float) Math.exp(x), got = Softmax.expNonPositive(x);
            assertThat(Math.abs(got - want)).as("x = %s", x).isLessThanOrEqualTo(2 * Math.ulp(want));
        }
        assertThat(Softmax.expNonPositive(0f)).isEqualTo(1f);
        assertThat(Softmax.expNonPositive(-88f)).isZero();
        assertThat(Softmax.expNonPositive(Float.NEGATIVE_INFINITY)).isZero();
        assertThat(Softmax.expNonPositive(Float.NaN)).isZero();
    }

    /** The vector loop and the scalar tail compute the same function: a value's result does not depend on its index. */
    @Test
    void vectorAndScalarPathsGiveTheSameBits() {
        Random r = new Random(1);
        int n = 16 * 5 + 7;
        float[] base = new float[n];
        for (int i = 0; i < n; i++) base[i] = (float) (r.nextGaussian() * 20);
        // the same values at every index: each must get the same probability wherever it lands
        for (int shift = 0; shift < 17; shift++) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[(i + shift) % n] = base[i];
            Softmax.inPlace(x, n);
            float[] y = new float[n];
            for (int i = 0; i < n; i++) y[i] = Softmax.expNonPositive(base[i] - max(base));
            for (int i = 0; i < n; i++) {
                float e = x[(i + shift) % n];
                assertThat(e).isCloseTo(y[i] / sum(y), within(1e-6f * (1 + y[i])));
            }
        }
    }

    @Test
    void softmaxOfAwkwardSizesSumsToOneAndMatchesTheDefinition() {
        Random r = new Random(2);
        for (int n : new int[] {1, 2, 15, 16, 17, 33, 100, 8191}) {
            float[] x = new float[n];
            double[] want = new double[n];
            for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * 8);
            double max = Double.NEGATIVE_INFINITY, s = 0;
            for (float v : x) max = Math.max(max, v);
            for (int i = 0; i < n; i++) s += want[i] = Math.exp(x[i] - max);
            Softmax.inPlace(x, n);
            double total = 0;
            for (int i = 0; i < n; i++) {
                assertThat((double) x[i]).as("n %d entry %d", n, i).isCloseTo(want[i] / s, within(1e-6 + 1e-5 * want[i] / s));
                total += x[i];
            }
            assertThat(total).isCloseTo(1.0, within(1e-5));
        }
    }

    private static float max(float[] v) {
        float m = Float.NEGATIVE_INFINITY;
        for (float x : v) m = Math.max(m, x);
        return m;
    }

    private static float sum(float[] v) {
        double s = 0;
        for (float x : v) s += x;
        return (float) s;
    }
}
