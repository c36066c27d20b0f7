package dev.winnow.kv.policy;

import java.util.List;

/**
 * {@code adakv}: Ada-KV (Feng et al., 2024). SnapKV's scores, but the heads of a layer share the
 * layer's budget ({@code heads × budget}): one top-k over all heads, so heads with concentrated
 * attention give entries to heads with spread-out attention; each head keeps at least
 * {@code alpha} of its per-head share of its own best entries ({@link AdaptiveAllocator}).
 * Heads end with different numbers of entries; their sum per layer is {@code heads × budget}.
 * Defaults: window 32, kernel 7, max pooling (as {@code snapkv}), alpha 0.2 (kvpress).
 */
public final class AdaKvPolicy {
    public static final PolicyInfo INFO = new PolicyInfo("adakv",
            "SnapKV scores, one top-k over all heads of a layer with a per-head floor", "Feng et al. 2024, Ada-KV",
            List.of(PolicyInfo.param("budget", "256", "mean entries kept per KV head of a layer (including the window)"),
                    PolicyInfo.param("ratio", "-", "instead of budget: fraction of entries removed"),
                    PolicyInfo.param("alpha", "0.2", "per-head floor: each head keeps at least alpha×(budget-window) of its best"),
                    PolicyInfo.param("window", "32", "observation window: last queries that score, kept themselves"),
                    PolicyInfo.param("kernel", "7", "pooling width"),
                    PolicyInfo.param("pool", "max", "max | avg"),
                    PolicyInfo.param("slack", "window", ObservationWindow.SLACK_HELP),
                    PolicyInfo.param("trigger", "prefill", ObservationWindow.TRIGGER_HELP)),
            AdaKvPolicy::create);

    private AdaKvPolicy() {
    }

    static KvPolicy create(Params p) {
        Budget b = Budget.from(p, 256);
        int window = ObservationWindow.read(p, b);
        double alpha = p.getDouble("alpha", 0.2, 0, 1);
        int kernel = p.getInt("kernel", 7, 1);
        boolean max = p.getString("pool", "max", "max", "avg").equals("max");
        return (new EvictionPolicy(p.spec(), new SnapKvScorer(window, kernel, max), new AdaptiveAllocator(alpha, window), b,
                0, Recent.fixed(window), Trigger.read(p, Trigger.PREFILL))).withSlack(ObservationWindow.slack(window));
    }
}
