package dev.winnow.kv.policy;

import java.util.List;

/**
 * {@code scissorhands}: Scissorhands (Liu et al., 2023), persistence of importance. Counts, over
 * a history window of recent queries, how often each entry received less than the uniform share
 * of attention (see {@link PersistenceScorer}); when a head is over budget, the entries with the
 * largest counts go first, the {@code recent} newest are always kept.
 */
public final class ScissorhandsPolicy {
    public static final PolicyInfo INFO = new PolicyInfo("scissorhands",
            "evict the entries most often unimportant (attention <= 1/n) within a history window",
            "Liu et al. 2023, Scissorhands",
            List.of(PolicyInfo.param("budget", "256", "entries kept per KV head"),
                    PolicyInfo.param("ratio", "-", "instead of budget: fraction of entries removed"),
                    PolicyInfo.param("history", "256", "history window in queries (exponential decay 1 - 1/history)"),
                    PolicyInfo.param("recent", "budget/8", "newest entries always kept"),
                    PolicyInfo.param("sinks", "0", "first entries always kept"),
                    PolicyInfo.param("trigger", "always", "always | prefill")),
            ScissorhandsPolicy::create);

    private ScissorhandsPolicy() {
    }

    static KvPolicy create(Params p) {
        Budget b = Budget.from(p, 256);
        int history = p.getInt("history", 256, 1);
        Recent recent = Recent.read(p, 1, 8);
        int sinks = p.getInt("sinks", 0, 0);
        return new EvictionPolicy(p.spec(), new PersistenceScorer(history), BudgetAllocator.UNIFORM, b, sinks, recent,
                BudgetedPolicy.readOnlyAfterPrefill(p, "always"));
    }
}
