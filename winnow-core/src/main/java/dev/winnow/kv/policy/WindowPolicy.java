package dev.winnow.kv.policy;

import java.util.List;

/**
 * {@code window}: keep the last {@code budget} entries (sliding-window attention). The baseline
 * every other method is compared with; it forgets the sinks, which is why it degrades.
 */
public final class WindowPolicy {
    public static final PolicyInfo INFO = new PolicyInfo("window", "keep the most recent entries", "baseline",
            PolicyInfo.budgetParams(256), WindowPolicy::create);

    private WindowPolicy() {
    }

    static KvPolicy create(Params p) {
        Budget b = Budget.from(p, 256);
        return new EvictionPolicy(p.spec(), new RecencyScorer(), BudgetAllocator.UNIFORM, b, 0, 0, false);
    }
}
