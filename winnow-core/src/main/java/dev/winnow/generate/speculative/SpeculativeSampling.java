package dev.winnow.generate.speculative;

import java.util.function.DoubleSupplier;

/**
 * The acceptance rule of speculative sampling (Leviathan et al. 2023; Chen et al. 2023): a draft
 * token x drawn from the drafter's q is accepted with probability min(1, p(x)/q(x)); when it is
 * rejected, the token is drawn from the residual max(0, p − q), normalized. The output is then
 * distributed exactly as p. Deterministic drafters propose with a one-hot q. Several candidates
 * for the same position (a tree's children) are tried in turn, each against the residual the
 * previous rejections left (multi-draft speculative sampling, as SpecInfer does), and the final
 * residual is sampled when all are rejected.
 */
public final class SpeculativeSampling {
    /** Decides whether to accept a draft token: {@code u} uniform in [0, 1), {@code p} and {@code q} its probabilities. */
    @FunctionalInterface
    public interface AcceptanceRule {
        boolean accept(double p, double q, double u);
    }

    /** The rule that keeps the target distribution: accept with probability min(1, p/q). */
    public static final AcceptanceRule MIN_RATIO = (p, q, u) -> u < Math.min(1.0, p / q);

    private SpeculativeSampling() {
    }

    /**
     * Verifies one position with one-hot draft candidates.
     *
     * @param p the target distribution over {@code vocab} tokens; replaced by the residual as candidates are rejected
     * @param candidates the draft tokens proposed for this position, tried in order
     * @return the index of the accepted candidate, or {@code -1 - token} with the token drawn from the residual
     */
    public static int verify(double[] p, int vocab, int[] candidates, int count, DoubleSupplier uniform, AcceptanceRule rule) {
        for (int c = 0; c < count; c++) {
            int x = candidates[c];
            if (rule.accept(p[x], 1.0, uniform.getAsDouble())) return c;
            residualOneHot(p, vocab, x);
        }
        return -1 - draw(p, vocab, uniform.getAsDouble());
    }

    /** {@code p ← normalize(max(0, p − q))} for q one-hot at {@code x}; p unchanged if it was all on x. */
    static void residualOneHot(double[] p, int vocab, int x) {
        double rest = 1.0 - p[x];
        if (!(rest > 1e-12)) return; // p was (numerically) one-hot at x: a rejection had probability ~0
        p[x] = 0;
        double sum = 0;
        for (int i = 0; i < vocab; i++) sum += p[i];
        for (int i = 0; i < vocab; i++) p[i] /= sum;
    }

    /** Draws from {@code p} (sums to 1) with the uniform {@code u}. */
    static int draw(double[] p, int vocab, double u) {
        double r = u;
        int last = -1;
        for (int i = 0; i < vocab; i++) {
            if (p[i] <= 0) continue;
            r -= p[i];
            last = i;
            if (r < 0) return i;
        }
        return last < 0 ? 0 : last;
    }
}
