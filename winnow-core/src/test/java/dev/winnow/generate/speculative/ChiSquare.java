package dev.winnow.generate.speculative;

/** Pearson's chi-square goodness-of-fit for the distribution tests. */
public final class ChiSquare {
    private ChiSquare() {
    }

    /**
     * The statistic of {@code observed} counts against {@code expected} probabilities (bins with
     * expected count below 5 are pooled into one), and whether it exceeds the critical value at
     * significance 0.001 (Wilson–Hilferty approximation).
     */
    public static boolean rejects(long[] observed, double[] expected) {
        long n = 0;
        for (long o : observed) n += o;
        double stat = 0, poolO = 0, poolE = 0;
        int bins = 0;
        for (int i = 0; i < observed.length; i++) {
            double e = expected[i] * n;
            if (e < 5) {
                poolO += observed[i];
                poolE += e;
                continue;
            }
            stat += (observed[i] - e) * (observed[i] - e) / e;
            bins++;
        }
        if (poolE > 0) {
            if (poolE < 1e-9 && poolO > 0) return true; // observed what has (almost) no probability
            stat += (poolO - poolE) * (poolO - poolE) / Math.max(poolE, 1e-9);
            bins++;
        }
        int df = Math.max(1, bins - 1);
        double z = 3.090232; // one-sided 0.001
        double h = 2.0 / (9 * df);
        double critical = df * Math.pow(1 - h + z * Math.sqrt(h), 3);
        return stat > critical;
    }
}
