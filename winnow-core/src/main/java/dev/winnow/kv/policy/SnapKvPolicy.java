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
                    PolicyInfo.param("slack", "window", ObservationWindow.SLACK_HELP),
                    PolicyInfo.param("trigger", "prefill", ObservationWindow.TRIGGER_HELP)),
            SnapKvPolicy::create);

    private SnapKvPolicy() {
    }

    static KvPolicy create(Params p) {
        Budget b = Budget.from(p, 256);
        int window = ObservationWindow.read(p, b);
        int kernel = p.getInt("kernel", 7, 1);
        boolean max = p.getString("pool", "max", "max", "avg").equals("max");
        return (new EvictionPolicy(p.spec(), new SnapKvScorer(window, kernel, max), BudgetAllocator.UNIFORM, b, 0,
                Recent.fixed(window), Trigger.read(p, Trigger.PREFILL))).withSlack(ObservationWindow.slack(window));
    }
}
