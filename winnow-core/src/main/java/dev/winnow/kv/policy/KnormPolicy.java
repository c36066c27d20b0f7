package dev.winnow.kv.policy;

import java.util.List;

/**
 * {@code knorm}: keep the keys with the smallest L2 norm (Devoto et al., 2024, "A Simple and
 * Effective L2 Norm-Based Strategy for KV Cache Compression"; kvpress's KnormPress scores
 * {@code −‖k‖}). Low-norm keys tend to receive high attention. Needs no attention probabilities,
 * so it works with any attention kernel.
 */
public final class KnormPolicy {
    public static final PolicyInfo INFO = new PolicyInfo("knorm", "keep the keys with the smallest L2 norm",
            "Devoto et al. 2024, L2 norm-based KV compression",
            List.of(PolicyInfo.param("budget", "256", "entries kept per KV head"),
                    PolicyInfo.param("ratio", "-", "instead of budget: fraction of entries removed"),
                    PolicyInfo.param("recent", "0", "newest entries always kept"),
                    PolicyInfo.param("sinks", "0", "first entries always kept"),
                    PolicyInfo.param("trigger", "always", "always | prefill (the paper compresses the prompt once)")),
            KnormPolicy::create);

    private KnormPolicy() {
    }

    static KvPolicy create(Params p) {
        Budget b = Budget.from(p, 256);
        int recent = p.getInt("recent", 0, 0);
        int sinks = p.getInt("sinks", 0, 0);
        return new EvictionPolicy(p.spec(), new KeyNormScorer(), BudgetAllocator.UNIFORM, b, sinks, recent,
                BudgetedPolicy.readOnlyAfterPrefill(p, "always"));
    }
}
