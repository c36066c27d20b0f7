package dev.winnow.kv.policy;

import java.util.List;

/**
 * {@code pyramidkv}: PyramidKV (Cai et al., 2024). SnapKV's scores (observation-window
 * attention, pooled) with per-layer budgets that decrease linearly with depth
 * ({@link PyramidAllocator}): lower layers, whose attention is spread out, keep more; upper
 * layers, whose attention is focused, keep less; the mean over layers is the spec's budget.
 * Each head keeps the window plus its best-scoring entries. Defaults as {@code snapkv} (window
 * 32, kernel 7, max pooling — KVCache-Factory's run settings) and KVCache-Factory's beta 20.
 */
public final class PyramidKvPolicy {
    public static final PolicyInfo INFO = new PolicyInfo("pyramidkv",
            "SnapKV scores, per-layer budgets decreasing linearly with depth (mean = budget)",
            "Cai et al. 2024, PyramidKV",
            List.of(PolicyInfo.param("budget", "256", "mean entries kept per KV head over the layers (including the window)"),
                    PolicyInfo.param("ratio", "-", "instead of budget: fraction of entries removed (on average)"),
                    PolicyInfo.param("beta", "20", "pyramid shape (>= 1): the top layer keeps window + (budget-window)/beta"),
                    PolicyInfo.param("window", "32", "observation window: last queries that score, kept themselves"),
                    PolicyInfo.param("kernel", "7", "pooling width"),
                    PolicyInfo.param("pool", "max", "max | avg"),
                    PolicyInfo.param("slack", "window", ObservationWindow.SLACK_HELP),
                    PolicyInfo.param("trigger", "prefill", ObservationWindow.TRIGGER_HELP)),
            PyramidKvPolicy::create);

    private PyramidKvPolicy() {
    }

    static KvPolicy create(Params p) {
        Budget b = Budget.from(p, 256);
        int window = ObservationWindow.read(p, b);
        double beta = p.getDouble("beta", 20, 1, 1e6);
        int kernel = p.getInt("kernel", 7, 1);
        boolean max = p.getString("pool", "max", "max", "avg").equals("max");
        return (new EvictionPolicy(p.spec(), new SnapKvScorer(window, kernel, max), new PyramidAllocator(beta, window), b,
                0, Recent.fixed(window), Trigger.read(p, Trigger.PREFILL))).withSlack(ObservationWindow.slack(window));
    }
}
