package dev.winnow.generate.speculative;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The acceptance rule on its own: whatever one-hot candidates are proposed, the token decided is
 * distributed as the target p (chi-square, fixed seed) — and a broken rule is caught.
 */
class SpeculativeSamplingTest {
    private static final double[] P = {0.05, 0.30, 0.02, 0.40, 0.08, 0.15};
    private static final int N = 40_000;

    private static long[] sample(int[] candidates, SpeculativeSampling.AcceptanceRule rule, boolean residual) {
        SplittableRandom r = new SplittableRandom(42);
        long[] counts = new long[P.length];
        double[] p = new double[P.length];
        for (int i = 0; i < N; i++) {
            System.arraycopy(P, 0, p, 0, P.length);
            int token;
            if (residual) {
                int v = SpeculativeSampling.verify(p, P.length, candidates, candidates.length, r::nextDouble, rule);
                token = v >= 0 ? candidates[v] : -1 - v;
            } else { // broken: a rejected draft is redrawn from p itself, not from the residual
                token = -1;
                for (int c : candidates) if (rule.accept(p[c], 1, r.nextDouble())) { token = c; break; }
                if (token < 0) token = SpeculativeSampling.draw(p, P.length, r.nextDouble());
            }
            counts[token]++;
        }
        return counts;
    }

    @Test
    void decidedTokensFollowTheTargetDistribution() {
        for (int[] candidates : new int[][] {{}, {3}, {2}, {1, 3}, {5, 0, 4}, {3, 1, 5, 0, 4, 2}}) {
            assertThat(ChiSquare.rejects(sample(candidates, SpeculativeSampling.MIN_RATIO, true), P))
                    .as("candidates %s", java.util.Arrays.toString(candidates)).isFalse();
        }
    }

    @Test
    void theTestCatchesBrokenAcceptanceRules() {
        SpeculativeSampling.AcceptanceRule alwaysAccept = (p, q, u) -> p > 0;
        SpeculativeSampling.AcceptanceRule ratioInverted = (p, q, u) -> u < Math.min(1, q / Math.max(p, 1e-12) * 0.1);
        assertThat(ChiSquare.rejects(sample(new int[] {1}, alwaysAccept, true), P)).isTrue();
        assertThat(ChiSquare.rejects(sample(new int[] {3}, ratioInverted, true), P)).isTrue();
        // the right acceptance but resampling from p instead of the residual max(0, p − q)
        assertThat(ChiSquare.rejects(sample(new int[] {1}, SpeculativeSampling.MIN_RATIO, false), P)).isTrue();
    }
}
