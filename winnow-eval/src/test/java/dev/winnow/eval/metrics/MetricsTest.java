package dev.winnow.eval.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Distribution and sequence metrics against values computed by hand. */
class MetricsTest {
    @Test
    void logSoftmaxOfEqualLogitsIsUniform() {
        double[] l = Metrics.logSoftmax(new float[] {3, 3, 3, 3}, 4);
        for (double v : l) assertThat(v).isCloseTo(Math.log(0.25), within(1e-12));
        // only the first n logits take part
        double[] two = Metrics.logSoftmax(new float[] {0, 0, 100}, 2);
        assertThat(two).hasSize(2);
        assertThat(two[0]).isCloseTo(Math.log(0.5), within(1e-12));
    }

    @Test
    void klDivergenceByHand() {
        // P = (1/2, 1/2), Q = (1/4, 3/4): KL = 1/2 ln 2 + 1/2 ln(2/3) = 1/2 ln(4/3) = 0.143841…
        double kl = Metrics.klDivergence(new double[] {Math.log(0.5), Math.log(0.5)}, new double[] {Math.log(0.25), Math.log(0.75)});
        assertThat(kl).isCloseTo(0.5 * Math.log(4.0 / 3.0), within(1e-12));
        assertThat(kl).isCloseTo(0.1438410362, within(1e-9));
        // from logits: softmax(0, ln 3) = (1/4, 3/4)
        float[] p = {0, 0}, q = {0, (float) Math.log(3)};
        assertThat(Metrics.klDivergence(p, q, 2)).isCloseTo(0.1438410362, within(1e-6));
        // KL is asymmetric: KL(Q‖P) = 1/4 ln(1/2) + 3/4 ln(3/2) = 0.130812…
        assertThat(Metrics.klDivergence(q, p, 2)).isCloseTo(0.25 * Math.log(0.5) + 0.75 * Math.log(1.5), within(1e-6));
    }

    @Test
    void klOfIdenticalDistributionsIsExactlyZero() {
        float[] l = {1.5f, -2f, 0.25f, 7f, 3f};
        assertThat(Metrics.klDivergence(l, l.clone(), 5)).isEqualTo(0.0);
    }

    @Test
    void klTermsWithZeroProbabilityCountNothing() {
        double[] p = {0, Double.NEGATIVE_INFINITY}; // P = (1, 0)
        double[] q = {Math.log(0.5), Math.log(0.5)};
        assertThat(Metrics.klDivergence(p, q)).isCloseTo(Math.log(2), within(1e-12));
        assertThatThrownBy(() -> Metrics.klDivergence(new double[2], new double[3])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void top1Agreement() {
        assertThat(Metrics.top1Agreement(new int[] {1, 2, 3, 4}, new int[] {1, 9, 3, 9})).isEqualTo(0.5);
        assertThat(Metrics.top1Agreement(new int[] {7}, new int[] {7})).isEqualTo(1.0);
        assertThatThrownBy(() -> Metrics.top1Agreement(new int[] {1}, new int[] {1, 2})).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void argmaxTakesTheFirstOnTies() {
        assertThat(Metrics.argmax(new float[] {1, 5, 5, 2}, 4)).isEqualTo(1);
        assertThat(Metrics.argmax(new float[] {1, 5, 9}, 2)).isEqualTo(1);
    }

    @Test
    void perplexityByHand() {
        // NLLs ln 2 and ln 8: mean ln 4 → perplexity 4
        assertThat(Metrics.perplexity(new double[] {Math.log(2), Math.log(8)})).isCloseTo(4.0, within(1e-12));
        assertThat(Metrics.perplexity(new double[] {9, Math.log(3), Math.log(3)}, 1, 3)).isCloseTo(3.0, within(1e-12));
        // a uniform model over V tokens has perplexity V
        double[] nll = new double[10];
        java.util.Arrays.fill(nll, Math.log(512));
        assertThat(Metrics.perplexity(nll)).isCloseTo(512, within(1e-9));
    }

    @Test
    void percentileInterpolatesLikeNumpy() {
        double[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        // numpy.percentile(range(1, 11), 95) = 9.55
        assertThat(Metrics.percentile(v, 95)).isCloseTo(9.55, within(1e-12));
        assertThat(Metrics.percentile(v, 50)).isCloseTo(5.5, within(1e-12));
        assertThat(Metrics.percentile(new double[] {3, 1, 2}, 100)).isEqualTo(3.0);
        assertThat(Metrics.percentile(new double[] {42}, 95)).isEqualTo(42.0);
    }

    @Test
    void firstDivergentToken() {
        assertThat(Metrics.firstDivergence(new int[] {5, 6, 7, 8}, new int[] {5, 6, 9, 8})).isEqualTo(2);
        assertThat(Metrics.firstDivergence(new int[] {5, 6, 7}, new int[] {4, 6, 7})).isEqualTo(0);
        assertThat(Metrics.firstDivergence(new int[] {5, 6, 7}, new int[] {5, 6, 7})).isEqualTo(-1);
        // one stopped early (end of generation): they differ where the shorter ends
        assertThat(Metrics.firstDivergence(new int[] {5, 6}, new int[] {5, 6, 7})).isEqualTo(2);
        assertThat(Metrics.firstDivergence(new int[0], new int[0])).isEqualTo(-1);
    }
}
