package dev.winnow.kv.policy;

import java.util.List;

/**
 * {@code h2o}: Heavy-Hitter Oracle (Zhang et al., 2023). Keeps the {@code recent} newest
 * entries plus the "heavy hitters", the entries with the highest attention accumulated over
 * all queries so far; evicts greedily as decoding proceeds. Default: half the budget recent.
 */
public final class H2oPolicy {
    public static final PolicyInfo INFO = new PolicyInfo("h2o",
            "recent window + heavy hitters by accumulated attention", "Zhang et al. 2023, H2O",
            List.of(PolicyInfo.param("budget", "256", "entries kept per KV head"),
                    PolicyInfo.param("ratio", "-", "instead of budget: fraction of entries removed"),
                    PolicyInfo.param("recent", "budget/2", "newest entries always kept"),
                    PolicyInfo.param("sinks", "0", "first entries always kept"),
                    PolicyInfo.param("trigger", "always", "always | prefill")),
            H2oPolicy::create);

    private H2oPolicy() {
    }

    static KvPolicy create(Params p) {
        Budget b = Budget.from(p, 256);
        Recent recent = Recent.read(p, 1, 2);
        int sinks = p.getInt("sinks", 0, 0);
        return new EvictionPolicy(p.spec(), new AccumulatedAttentionScorer(), BudgetAllocator.UNIFORM, b, sinks, recent,
                BudgetedPolicy.readOnlyAfterPrefill(p, "always"));
    }
}
