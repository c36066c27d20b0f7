package dev.winnow.kv.policy;

import dev.winnow.kv.KvCache;

/**
 * A policy that compresses the cache to a {@link Budget} at its {@link Trigger}: after each
 * prompt always, and between prompt chunks and/or during decoding as the trigger says
 * ({@code trigger=always}: all three; {@code trigger=prefill}: only after each prompt). A ratio
 * budget resolves at every compression against the tokens the sequence holds then
 * ({@link Budget#resolve}).
 *
 * <p>{@code slack}, one rule for every policy: during decoding, compress once {@code slack}
 * tokens were decoded since the last compression (so a head holds at most its budget — its
 * allocator's share — plus {@code slack} entries; expensive scorers run once per {@code slack}
 * tokens); 0 or 1 compress after every token. The observation-window policies default to
 * {@code slack = window}, every other policy to 0.
 */
public abstract class BudgetedPolicy implements KvPolicy {
    private final String spec;
    private final Budget budget;
    private final Trigger trigger;
    private int slack;
    private int resolved = -1;
    private int decodedSinceCompression;

    protected BudgetedPolicy(String spec, Budget budget, boolean onlyAfterPrefill) {
        this(spec, budget, Trigger.of(onlyAfterPrefill));
    }

    protected BudgetedPolicy(String spec, Budget budget, Trigger trigger) {
        this.spec = spec;
        this.budget = budget;
        this.trigger = trigger;
    }

    public Trigger trigger() {
        return trigger;
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
        decodedSinceCompression = 0;
    }

    @Override
    public void afterPrefillChunk(KvCache cache, PolicyContext ctx) {
        if (trigger.betweenChunks()) compressNow(cache, ctx);
    }

    @Override
    public void afterPrefill(KvCache cache, PolicyContext ctx) {
        compressNow(cache, ctx);
    }

    @Override
    public void afterDecode(KvCache cache, PolicyContext ctx) {
        if (!trigger.whileDecoding()) return;
        // A policy that has not compressed yet compresses at the first decoded token.
        if (++decodedSinceCompression < slack && resolved >= 0) return;
        compressNow(cache, ctx);
    }

    private void compressNow(KvCache cache, PolicyContext ctx) {
        decodedSinceCompression = 0;
        compress(cache, ctx);
    }

    /** Evicts down to the budget in every head that is over. */
    public abstract void compress(KvCache cache, PolicyContext ctx);
}
