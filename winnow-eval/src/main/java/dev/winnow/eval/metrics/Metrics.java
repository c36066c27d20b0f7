package dev.winnow.eval.metrics;

import java.util.Arrays;

/**
 * Metrics over next-token distributions and token sequences: log-softmax, KL divergence, top-1
 * agreement, perplexity, percentiles, the first position where two sequences differ. Pure
 * functions; every one is unit-tested against hand-computed values.
 */
public final class Metrics {
    private Metrics() {
    }

    /** log softmax of the first {@code n} logits, in double precision. */
    public static double[] logSoftmax(float[] logits, int n) {
        if (n <= 0 || n > logits.length) throw new IllegalArgumentException("n=" + n + " for " + logits.length + " logits");
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, logits[i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(logits[i] - max);
        double lse = max + Math.log(sum);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = logits[i] - lse;
        return out;
    }

    /**
     * KL(P ‖ Q) = Σ p·(log p − log q) in nats, from log-probabilities. Terms with p = 0 count 0;
     * identical inputs give exactly 0.
     */
    public static double klDivergence(double[] logP, double[] logQ) {
        if (logP.length != logQ.length) {
            throw new IllegalArgumentException("distributions of different sizes: " + logP.length + " and " + logQ.length);
        }
        double kl = 0;
        for (int i = 0; i < logP.length; i++) {
            double lp = logP[i];
            if (lp == Double.NEGATIVE_INFINITY) continue;
            double p = Math.exp(lp);
            if (p == 0) continue;
            kl += p * (lp - logQ[i]);
        }
        // Rounding can leave a tiny negative value for nearly equal distributions; KL is >= 0.
        return Math.max(0, kl);
    }

    /** KL(softmax(p) ‖ softmax(q)) over the first {@code n} logits. */
    public static double klDivergence(float[] pLogits, float[] qLogits, int n) {
        return klDivergence(logSoftmax(pLogits, n), logSoftmax(qLogits, n));
    }

    /** Index of the largest of the first {@code n} values (the first one on ties). */
    public static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    /** Index of the largest of the first {@code n} logits (the first one on ties). */
    public static int argmax(float[] v, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    /** Fraction of positions where the two sequences hold the same token (same length required). */
    public static double top1Agreement(int[] a, int[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("sequences of different lengths: " + a.length + " and " + b.length);
        if (a.length == 0) throw new IllegalArgumentException("no predictions to compare");
        int same = 0;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) same++;
        return (double) same / a.length;
    }

    /** exp(mean negative log-likelihood) (natural log). */
    public static double perplexity(double[] nll) {
        return perplexity(nll, 0, nll.length);
    }

    /** exp(mean of {@code nll[from, to)}). */
    public static double perplexity(double[] nll, int from, int to) {
        if (to <= from) throw new IllegalArgumentException("empty range [" + from + ", " + to + ")");
        double s = 0;
        for (int i = from; i < to; i++) s += nll[i];
        return Math.exp(s / (to - from));
    }

    public static double mean(double[] v) {
        if (v.length == 0) throw new IllegalArgumentException("mean of no values");
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    /**
     * The {@code q}-th percentile (0–100) with linear interpolation between closest ranks
     * (numpy's default): position {@code (n−1)·q/100} of the sorted values.
     */
    public static double percentile(double[] v, double q) {
        if (v.length == 0) throw new IllegalArgumentException("percentile of no values");
        if (!(q >= 0 && q <= 100)) throw new IllegalArgumentException("percentile " + q + " not in [0, 100]");
        double[] s = v.clone();
        Arrays.sort(s);
        double pos = (s.length - 1) * q / 100.0;
        int lo = (int) Math.floor(pos);
        int hi = Math.min(s.length - 1, lo + 1);
        double frac = pos - lo;
        return s[lo] + (s[hi] - s[lo]) * frac;
    }

    /**
     * The first index where the sequences differ; when one is a prefix of the other, the shorter
     * length; {@code -1} when they are identical.
     */
    public static int firstDivergence(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) if (a[i] != b[i]) return i;
        return a.length == b.length ? -1 : n;
    }
}
