package dev.winnow.kv.merge;

import dev.winnow.kv.AttentionRecorder;
import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.codec.KvComponent;
import dev.winnow.kv.policy.KvPolicy;
import dev.winnow.kv.policy.KvSpecException;
import dev.winnow.kv.policy.Params;
import dev.winnow.kv.policy.PolicyContext;
import dev.winnow.kv.policy.PolicyInfo;
import java.util.List;
import java.util.Set;

/**
 * {@code merge}: merging instead of dropping (CaM / EMS style). When the eviction policy removes
 * entries, each removed entry's value is folded into the kept entry whose key is most similar
 * (cosine similarity of the keys as stored), as an average weighted by the two entries'
 * attention mass: v_k ← (a_k·v_k + a_j·v_j) / (a_k + a_j), and the kept entry's mass becomes
 * a_k + a_j for later merges in the same eviction. Keys, positions and statistics of the kept
 * entries are unchanged.
 *
 * <p>A merged entry stands for more attention than its own key draws, so its attention logit is
 * raised (token merging's proportional attention, {@link HeadStore#addLogitBias}): by
 * log(M_k / a_k), the mass it now stands for over its own, capped at log of the number of
 * entries it stands for ({@code bias=mass}, the default); by log(entries) ({@code bias=count});
 * or not at all ({@code bias=none}). When keys are equal the mass bias makes the merged entry
 * contribute exactly what the two did.
 *
 * <p>The mass is the accumulated attention of the generic statistics (installed when the
 * eviction policy records nothing). Policies with their own recorder that does not keep the
 * generic statistics (Keyformer, Scissorhands) leave the masses at zero: the merge is then an
 * unweighted mean. {@code weight=uniform} always takes the unweighted mean.
 */
public final class MergeIntoNearest implements KvComponent {
    public static final PolicyInfo INFO = new PolicyInfo("merge",
            "evicted entries' values are folded into the kept entry with the most similar key, weighted by attention",
            "Zhang et al. 2024, CaM; Li et al. 2024, EMS (merge into kept centres)",
            List.of(PolicyInfo.param("weight", "attention", "attention (accumulated attention mass) | uniform"),
                    PolicyInfo.param("bias", "mass", "logit bias of a merged entry: mass (log of the attention mass it"
                            + " stands for over its own, at most the entries it stands for) | count (log of the entries) | none")),
            MergeIntoNearest::create);

    /** How a merged entry's attention logit is raised. */
    public enum Bias { NONE, COUNT, MASS }

    private final String spec;
    private final boolean byAttention;
    private final Bias bias;

    public MergeIntoNearest(String spec, boolean byAttention) {
        this(spec, byAttention, Bias.MASS);
    }

    public MergeIntoNearest(String spec, boolean byAttention, Bias bias) {
        this.spec = spec;
        this.byAttention = byAttention;
        this.bias = bias;
    }

    static KvPolicy create(Params p) {
        boolean attention = p.getString("weight", "attention", "attention", "uniform").equals("attention");
        Bias b = Bias.valueOf(p.getString("bias", "mass", "mass", "count", "none").toUpperCase(java.util.Locale.ROOT));
        return new MergeIntoNearest(p.spec(), attention, b);
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.EVICTED);
    }

    @Override
    public String spec() {
        return spec;
    }

    @Override
    public void compose(KvPolicy eviction) {
        if (eviction == null || eviction.spec().equals("full")) {
            throw new KvSpecException("merge folds the entries an eviction policy evicts: add one, e.g. h2o:budget=256+merge");
        }
    }

    @Override
    public void attach(KvCache cache, PolicyContext ctx) {
        if (byAttention && cache.attentionRecorder() == null) cache.recordAttention(AttentionRecorder.STATISTICS);
        cache.useEvictionHandler(this::merge);
    }

    /** Folds each entry not in {@code keep} into its nearest kept entry, then drops it. */
    void merge(HeadStore store, int[] keep) {
        int n = store.size(), k = keep.length, hs = store.headSize();
        if (k == 0 || k == n) {
            store.drop(keep);
            return;
        }
        float[] keys = new float[k * hs];
        float[] norms = new float[k];
        float[] mass = new float[k], mass0 = new float[k];
        int[] count = new int[k];
        float[][] values = new float[k][];
        for (int j = 0; j < k; j++) {
            store.key(keep[j], keys, j * hs);
            norms[j] = norm(keys, j * hs, hs);
            mass[j] = byAttention ? store.accumulatedAttention(keep[j]) : 1f;
            count[j] = 1;
        }
        float[] key = new float[hs], value = new float[hs];
        for (int i = 0, next = 0; i < n; i++) {
            if (next < k && keep[next] == i) {
                next++;
                continue;
            }
            store.key(i, key, 0);
            int target = nearest(keys, norms, k, hs, key, norm(key, 0, hs));
            if (values[target] == null) {
                values[target] = new float[hs];
                store.value(keep[target], values[target], 0);
            }
            store.value(i, value, 0);
            float a = mass[target], b = byAttention ? store.accumulatedAttention(i) : 1f;
            if (!(a + b > 0)) {
                a = 1;
                b = 1;
            }
            if (mass0[target] == 0) mass0[target] = a;
            float[] v = values[target];
            for (int c = 0; c < hs; c++) v[c] = (a * v[c] + b * value[c]) / (a + b);
            mass[target] = a + b;
            count[target]++;
        }
        for (int j = 0; j < k; j++) {
            if (values[j] == null) continue;
            store.setValue(keep[j], values[j], 0);
            switch (bias) {
                case COUNT -> store.addLogitBias(keep[j], (float) Math.log(count[j]));
                case MASS -> store.addLogitBias(keep[j], (float) Math.log(Math.min(count[j], mass[j] / mass0[j])));
                case NONE -> {
                }
            }
        }
        store.drop(keep);
    }

    /** The kept key with the highest cosine similarity to {@code key} (ties: the first). */
    static int nearest(float[] keys, float[] norms, int k, int hs, float[] key, float keyNorm) {
        int best = 0;
        float bestSim = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            float dot = 0;
            for (int c = 0; c < hs; c++) dot += keys[j * hs + c] * key[c];
            float denom = norms[j] * keyNorm;
            float sim = denom > 0 ? dot / denom : 0;
            if (sim > bestSim) {
                bestSim = sim;
                best = j;
            }
        }
        return best;
    }

    static float norm(float[] x, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) x[off + i] * x[off + i];
        return (float) Math.sqrt(s);
    }

    @Override
    public String toString() {
        return spec;
    }
}
