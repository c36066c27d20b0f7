package dev.winnow.kv.policy;

import dev.winnow.kv.KvCache;
import java.util.List;

/**
 * {@code lazy}: LazyEviction (Zhang et al., 2025). Scores entries by where they are in their own
 * recurrence cycle (see {@link RecurrenceScorer}: steps since the last attention peak divided by
 * the maximum interval between peaks) and evicts lagged: during decoding a head may exceed its
 * budget for up to {@code lag} generated tokens, then every over-budget head is cut back to the
 * budget at once — so a token gets {@code lag} steps to show it recurs before it can be evicted,
 * and the cache peaks at budget + lag. Prompts are compressed as soon as they end (and between
 * prefill chunks with {@code trigger=always}).
 */
public final class LazyEvictionPolicy extends EvictionPolicy {
    public static final PolicyInfo INFO = new PolicyInfo("lazy",
            "lagged eviction of entries past their recurrence interval (steps since last hit / max interval)",
            "Zhang et al. 2025, LazyEviction",
            List.of(PolicyInfo.param("budget", "256", "entries kept per KV head (peak: budget + lag)"),
                    PolicyInfo.param("ratio", "-", "instead of budget: fraction of entries removed"),
                    PolicyInfo.param("lag", "1", "decode steps a head may stay over budget before it is compressed"),
                    PolicyInfo.param("recent", "budget/8", "newest entries always kept"),
                    PolicyInfo.param("sinks", "0", "first entries always kept"),
                    PolicyInfo.param("trigger", "always", "always | prefill")),
            LazyEvictionPolicy::create);

    private final int lag;
    private final boolean onlyAfterPrefill;
    private int overSteps;

    private LazyEvictionPolicy(String spec, Budget budget, int sinks, Recent recent, boolean onlyAfterPrefill, int lag) {
        super(spec, new RecurrenceScorer(), BudgetAllocator.UNIFORM, budget, sinks, recent, onlyAfterPrefill);
        this.lag = lag;
        this.onlyAfterPrefill = onlyAfterPrefill;
    }

    static KvPolicy create(Params p) {
        Budget b = Budget.from(p, 256);
        int lag = p.getInt("lag", 1, 1);
        Recent recent = Recent.read(p, 1, 8);
        int sinks = p.getInt("sinks", 0, 0);
        return new LazyEvictionPolicy(p.spec(), b, sinks, recent, BudgetedPolicy.readOnlyAfterPrefill(p, "always"), lag);
    }

    public int lag() {
        return lag;
    }

    @Override
    public void attach(KvCache cache, PolicyContext ctx) {
        super.attach(cache, ctx);
        overSteps = 0;
    }

    @Override
    public void afterPrefill(KvCache cache, PolicyContext ctx) {
        super.afterPrefill(cache, ctx);
        overSteps = 0;
    }

    @Override
    public void afterDecode(KvCache cache, PolicyContext ctx) {
        if (onlyAfterPrefill) return;
        int budget = resolvedBudget();
        if (budget >= 0 && maxEntries(cache) <= budget) {
            overSteps = 0;
            return;
        }
        if (++overSteps >= lag) {
            compress(cache, ctx);
            overSteps = 0;
        }
    }

    private static int maxEntries(KvCache cache) {
        int max = 0;
        for (int l = 0; l < cache.layers(); l++) {
            for (int h = 0; h < cache.kvHeads(); h++) max = Math.max(max, cache.head(l, h).size());
        }
        return max;
    }
}
