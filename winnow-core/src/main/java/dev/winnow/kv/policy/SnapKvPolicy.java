package dev.winnow.kv.policy;

import java.util.List;

/**
 * {@code snapkv}: SnapKV (Li et al., 2024). After the prompt, the queries of its last
 * {@code window} tokens score every earlier entry (attention summed over the window, pooled
 * with a kernel); each head keeps its top entries plus the window itself. Defaults follow
 * KVCache-Factory: window 32, kernel 7, max pooling.
 */
public final class SnapKvPolicy {
    public static final PolicyInfo INFO = new PolicyInfo("snapkv",
            "observation-window attention, pooled, top-k per head + the window", "Li et al. 2024, SnapKV",
            List.of(PolicyInfo.param("budget", "256", "entries kept per KV head (including the window)"),
                    PolicyInfo.param("ratio", "-", "instead of budget: fraction of entries removed"),
                    PolicyInfo.param("window", "32", "observation window: last queries that score, kept themselves"),
                    PolicyInfo.param("kernel", "7", "pooling width"),
                    PolicyInfo.param("pool", "max", "max | avg"),
                    PolicyInfo.param("slack", "window", "decoding: compress once a head exceeds budget + slack (0: every token)"),
                    PolicyInfo.param("trigger", "always", "always | prefill (compress only after each prompt)")),
            SnapKvPolicy::create);

    private SnapKvPolicy() {
    }

    static KvPolicy create(Params p) {
        Budget b = Budget.from(p, 256);
        int window = p.getInt("window", 32, 1);
        if (!b.isRatio() && window > b.entries()) {
            throw new KvSpecException(p.policy() + ": window (" + window + ") exceeds the budget " + b.entries());
        }
        int kernel = p.getInt("kernel", 7, 1);
        boolean max = p.getString("pool", "max", "max", "avg").equals("max");
        // Scoring with the observation window is costly: during decoding, evict once per window of new tokens.
        return (new EvictionPolicy(p.spec(), new SnapKvScorer(window, kernel, max), BudgetAllocator.UNIFORM, b, 0,
                window, BudgetedPolicy.readOnlyAfterPrefill(p, "always"))).withSlack(window);
    }
}
