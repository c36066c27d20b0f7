package dev.winnow.kv.policy;

import java.util.List;

/**
 * {@code zipcache}: eviction by ZipCache's normalised saliency (He et al., 2024): accumulated
 * attention divided by the number of queries that could attend to the entry (see
 * {@link NormalizedAttentionScorer}). ZipCache itself uses the saliency to choose each token's
 * quantisation bits; here the least salient entries are evicted.
 */
public final class ZipCachePolicy {
    public static final PolicyInfo INFO = new PolicyInfo("zipcache",
            "evict the lowest normalised attention (accumulated / queries that saw the entry)",
            "He et al. 2024, ZipCache (saliency metric)",
            List.of(PolicyInfo.param("budget", "256", "entries kept per KV head"),
                    PolicyInfo.param("ratio", "-", "instead of budget: fraction of entries removed"),
                    PolicyInfo.param("recent", "0", "newest entries always kept"),
                    PolicyInfo.param("sinks", "0", "first entries always kept"),
                    PolicyInfo.param("trigger", "always", "always | prefill")),
            ZipCachePolicy::create);

    private ZipCachePolicy() {
    }

    static KvPolicy create(Params p) {
        Budget b = Budget.from(p, 256);
        int recent = p.getInt("recent", 0, 0);
        int sinks = p.getInt("sinks", 0, 0);
        return new EvictionPolicy(p.spec(), new NormalizedAttentionScorer(), BudgetAllocator.UNIFORM, b, sinks, recent,
                BudgetedPolicy.readOnlyAfterPrefill(p, "always"));
    }
}
