package dev.winnow.kv.policy;

import java.util.List;

/** {@code random}: evict uniformly at random (seeded, reproducible). The floor every scorer must beat. */
public final class RandomPolicy {
    public static final PolicyInfo INFO = new PolicyInfo("random", "evict uniformly at random (seeded)", "baseline",
            List.of(PolicyInfo.param("budget", "256", "entries kept per KV head"),
                    PolicyInfo.param("ratio", "-", "instead of budget: fraction of entries removed"),
                    PolicyInfo.param("seed", "0", "random seed: the same seed evicts the same entries"),
                    PolicyInfo.param("recent", "0", "newest entries always kept"),
                    PolicyInfo.param("sinks", "0", "first entries always kept"),
                    PolicyInfo.param("trigger", "always", "always | prefill")),
            RandomPolicy::create);

    private RandomPolicy() {
    }

    static KvPolicy create(Params p) {
        Budget b = Budget.from(p, 256);
        int seed = p.getInt("seed", 0, Integer.MIN_VALUE);
        int recent = p.getInt("recent", 0, 0);
        int sinks = p.getInt("sinks", 0, 0);
        return new EvictionPolicy(p.spec(), new RandomScorer(seed), BudgetAllocator.UNIFORM, b, sinks, recent,
                BudgetedPolicy.readOnlyAfterPrefill(p, "always"));
    }
}
