package dev.winnow.kv.policy;

import dev.winnow.kv.KvCache;

/**
 * A policy that compresses the cache to a {@link Budget} at its triggers: between prompt chunks,
 * after each prompt and after each decoded token ({@code trigger=always}), or only after each
 * prompt ({@code trigger=prefill}). A ratio budget resolves at every compression against the
 * tokens the sequence holds then ({@link Budget#resolve}).
 *
 * <p>{@code slack}: during decoding, compress only once a head holds more than budget + slack
 * entries (then back down to the budget), so expensive scorers run once per {@code slack + 1}
 * tokens instead of at every token; 0 keeps every head at exactly its budget.
 */
public abstract class BudgetedPolicy implements KvPolicy {
    private final String spec;
    private final Budget budget;
    private final boolean onlyAfterPrefill;
    private int slack;
    private int resolved = -1;

    protected BudgetedPolicy(String spec, Budget budget, boolean onlyAfterPrefill) {
        this.spec = spec;
        this.budget = budget;
        this.onlyAfterPrefill = onlyAfterPrefill;
    }

    /** Reads {@code slack=N} (entries a head may exceed its budget by during decoding). */
    public static int readSlack(Params p, int defaultSlack) {
        return p.getInt("slack", defaultSlack, 0);
    }

    /** Sets the decode-time slack (see the class comment); returns this. */
    public BudgetedPolicy withSlack(int slack) {
        if (slack < 0) throw new KvSpecException(spec + ": slack must be >= 0, got " + slack);
        this.slack = slack;
        return this;
    }

    public int slack() {
        return slack;
    }

    /** Reads the common trigger parameter: {@code trigger=always|prefill}. */
    public static boolean readOnlyAfterPrefill(Params p, String defaultTrigger) {
        return p.getString("trigger", defaultTrigger, "always", "prefill").equals("prefill");
    }

    @Override
    public String spec() {
        return spec;
    }

    public Budget budget() {
        return budget;
    }

    /** The per-head budget (a ratio: as resolved at the latest compression; -1 before the first). */
    public int resolvedBudget() {
        return budget.isRatio() ? resolved : budget.entries();
    }

    /** The per-head budget for this compression (a ratio: of the tokens the sequence holds now). */
    protected int budgetFor(KvCache cache) {
        if (budget.isRatio()) {
            int tokens = cache.step(); // caches filled without the model hold entries but no steps
            for (int l = 0; l < cache.layers(); l++) {
                for (int h = 0; h < cache.kvHeads(); h++) tokens = Math.max(tokens, cache.head(l, h).size());
            }
            resolved = budget.resolve(tokens);
        } else {
            resolved = budget.entries();
        }
        return resolved;
    }

    @Override
    public void attach(KvCache cache, PolicyContext ctx) {
        resolved = -1;
    }

    @Override
    public void afterPrefillChunk(KvCache cache, PolicyContext ctx) {
        if (!onlyAfterPrefill) compress(cache, ctx);
    }

    @Override
    public void afterPrefill(KvCache cache, PolicyContext ctx) {
        compress(cache, ctx);
    }

    @Override
    public void afterDecode(KvCache cache, PolicyContext ctx) {
        if (onlyAfterPrefill) return;
        if (slack > 0 && resolved >= 0) {
            int limit = resolved + slack, max = 0;
            for (int l = 0; l < cache.layers(); l++) {
                for (int h = 0; h < cache.kvHeads(); h++) max = Math.max(max, cache.head(l, h).size());
            }
            if (max <= limit) return;
        }
        compress(cache, ctx);
    }

    /** Evicts down to the budget in every head that is over. */
    public abstract void compress(KvCache cache, PolicyContext ctx);
}
