package dev.winnow.kv.policy;

import dev.winnow.kv.AttentionRecorder;
import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;

/**
 * Keyformer's score: attention regularised by a Gumbel softmax, accumulated over queries like
 * H2O's. For each query, with p the attention probabilities (the group's sum divided by the
 * group size, i.e. the mean over the query heads sharing the store) the recorder adds to every
 * entry's {@link HeadStore#extra}
 * <pre>    softmax_i((ln p_i + ζ_i) / τ),   ζ_i ~ Gumbel(0, 1)</pre>
 * which equals the paper's softmax of the noisy logits (ln p differs from the logits by a
 * constant). The noise is a hash of (seed, layer, KV head, step, entry), so runs are reproducible
 * whatever the thread schedule. τ starts at {@code tau} and grows by {@code tauDelta} per
 * generated token (reset after each prompt), as the authors' code does (1.0 and +0.01).
 *
 * <p>Difference from the paper: it applies the Gumbel softmax per query head and sums over heads;
 * the kernel reports only the group's summed probabilities, so here it is applied to their mean
 * (identical without grouped-query attention).
 */
public final class KeyformerScorer implements Scorer {
    private final long seed;
    private final double tauInit;
    private final double tauDelta;
    private volatile int promptEnd = Integer.MAX_VALUE;
    private final ThreadLocal<double[]> buffer = ThreadLocal.withInitial(() -> new double[64]);
    private final AttentionRecorder recorder;

    public KeyformerScorer(long seed, double tau, double tauDelta) {
        this.seed = seed;
        this.tauInit = tau;
        this.tauDelta = tauDelta;
        this.recorder = this::record;
    }

    /** The temperature for a query at {@code step}: τ₀ during a prompt, τ₀ + k·δ for the k-th generated token. */
    double tau(int step) {
        int end = promptEnd;
        return step < end ? tauInit : tauInit + tauDelta * ((long) step - end + 1);
    }

    /** Called after each prompt: tokens from {@code step} on are generated ones. */
    void promptEnded(int step) {
        promptEnd = step;
    }

    void reset() {
        promptEnd = Integer.MAX_VALUE;
    }

    private void record(int layer, int kvHead, HeadStore store, float[] probs, int n, int groupSize, int step) {
        double[] z = buffer.get();
        if (z.length < n) buffer.set(z = new double[Math.max(n, z.length * 2)]);
        double invTau = 1 / tau(step);
        double inv = 1.0 / groupSize;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double p = probs[i] * inv;
            z[i] = p > 0 ? (Math.log(p) + SeededNoise.gumbel(seed, layer, kvHead, step, i)) * invTau
                    : Double.NEGATIVE_INFINITY;
            if (z[i] > max) max = z[i];
        }
        if (max == Double.NEGATIVE_INFINITY) return;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += z[i] = Math.exp(z[i] - max);
        double norm = 1 / sum;
        for (int i = 0; i < n; i++) store.setExtra(i, store.extra(i) + (float) (z[i] * norm));
    }

    @Override
    public void score(KvCache cache, int layer, int kvHead, HeadStore store, PolicyContext ctx, float[] out) {
        for (int i = 0; i < store.size(); i++) out[i] = store.extra(i);
    }

    @Override
    public AttentionRecorder recorder() {
        return recorder;
    }
}
