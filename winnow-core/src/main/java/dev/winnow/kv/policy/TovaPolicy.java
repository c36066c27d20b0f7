package dev.winnow.kv.policy;

import java.util.List;

/**
 * {@code tova}: Token Omission Via Attention (Oren et al., 2024, "Transformers are Multi-State
 * RNNs"). Whenever a head is over its budget, evicts the entries to which the current (last)
 * query paid the least attention, averaged over the heads of the layer (so a layer keeps the same
 * tokens in every head, as in the paper and kvpress's TOVAPress). No recent window or sinks by
 * default: the last query's own entry usually scores highest anyway.
 */
public final class TovaPolicy {
    public static final PolicyInfo INFO = new PolicyInfo("tova",
            "evict the lowest attention from the last query, averaged over heads", "Oren et al. 2024, TOVA",
            List.of(PolicyInfo.param("budget", "256", "entries kept per KV head"),
                    PolicyInfo.param("ratio", "-", "instead of budget: fraction of entries removed"),
                    PolicyInfo.param("heads", "layer", "average the last query's attention over: layer (all heads, "
                            + "the paper) | group (the query heads sharing the KV head)"),
                    PolicyInfo.param("recent", "0", "newest entries always kept"),
                    PolicyInfo.param("sinks", "0", "first entries always kept"),
                    PolicyInfo.param("trigger", "always", "always | prefill")),
            TovaPolicy::create);

    private TovaPolicy() {
    }

    static KvPolicy create(Params p) {
        Budget b = Budget.from(p, 256);
        boolean layer = p.getString("heads", "layer", "layer", "group").equals("layer");
        int recent = p.getInt("recent", 0, 0);
        int sinks = p.getInt("sinks", 0, 0);
        return new EvictionPolicy(p.spec(), new LastAttentionScorer(layer), BudgetAllocator.UNIFORM, b, sinks, recent,
                BudgetedPolicy.readOnlyAfterPrefill(p, "always"));
    }
}
