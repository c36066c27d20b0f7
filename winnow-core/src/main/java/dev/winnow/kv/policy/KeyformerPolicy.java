package dev.winnow.kv.policy;

import dev.winnow.kv.KvCache;
import java.util.List;

/**
 * {@code keyformer}: Keyformer (Adnan et al., 2024). Like H2O — a recent window plus the entries
 * with the highest accumulated score — but the score accumulates a Gumbel-softmax-regularised
 * attention (see {@link KeyformerScorer}). Defaults follow the authors' code: 30% of the budget is
 * the recent window, τ starts at 1 and grows by 0.01 per generated token.
 */
public final class KeyformerPolicy extends EvictionPolicy {
    public static final PolicyInfo INFO = new PolicyInfo("keyformer",
            "recent window + key tokens by accumulated Gumbel-softmax attention", "Adnan et al. 2024, Keyformer",
            List.of(PolicyInfo.param("budget", "256", "entries kept per KV head"),
                    PolicyInfo.param("ratio", "-", "instead of budget: fraction of entries removed"),
                    PolicyInfo.param("recent", "budget*3/10", "newest entries always kept"),
                    PolicyInfo.param("sinks", "0", "first entries always kept"),
                    PolicyInfo.param("tau", "1.0", "initial Gumbel-softmax temperature"),
                    PolicyInfo.param("tau_delta", "0.01", "temperature increase per generated token"),
                    PolicyInfo.param("seed", "0", "seed of the Gumbel noise"),
                    PolicyInfo.param("trigger", "always", "always | prefill")),
            KeyformerPolicy::create);

    private final KeyformerScorer scorer;

    private KeyformerPolicy(String spec, KeyformerScorer scorer, Budget budget, int sinks, Recent recent,
                            boolean onlyAfterPrefill) {
        super(spec, scorer, BudgetAllocator.UNIFORM, budget, sinks, recent, onlyAfterPrefill);
        this.scorer = scorer;
    }

    static KvPolicy create(Params p) {
        Budget b = Budget.from(p, 256);
        Recent recent = Recent.read(p, 3, 10);
        int sinks = p.getInt("sinks", 0, 0);
        double tau = p.getDouble("tau", 1.0, 0.001, 1000);
        double delta = p.getDouble("tau_delta", 0.01, 0, 10);
        int seed = p.getInt("seed", 0, Integer.MIN_VALUE);
        return new KeyformerPolicy(p.spec(), new KeyformerScorer(seed, tau, delta), b, sinks, recent,
                BudgetedPolicy.readOnlyAfterPrefill(p, "always"));
    }

    @Override
    public void attach(KvCache cache, PolicyContext ctx) {
        super.attach(cache, ctx);
        scorer.reset();
    }

    @Override
    public void afterPrefill(KvCache cache, PolicyContext ctx) {
        super.afterPrefill(cache, ctx);
        scorer.promptEnded(cache.step());
    }
}
