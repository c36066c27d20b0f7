package dev.winnow.kv.policy;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import java.util.Arrays;

/**
 * The shared machine of eviction policies: scorer × budget allocator × trigger × protection.
 * When a head holds more than its budget, the first {@code sinks} and the last {@code recent}
 * entries are kept, and the rest of the budget goes to the highest-scoring other entries
 * (ties: the newer entry). Evicted entries are removed from the store ({@link HeadStore#retain}),
 * so their memory is freed.
 *
 * <p>Triggers: with {@code trigger=always} (the default) the cache is compressed between prompt
 * chunks (peak ≈ budget + one chunk), after each prompt and after each decoded token, so a
 * head never holds more than its budget for long; with {@code trigger=prefill} only once after
 * each prompt, as the prefill-time papers (SnapKV, PyramidKV, Ada-KV) describe.
 */
public class EvictionPolicy implements KvPolicy {
    private final String spec;
    private final Scorer scorer;
    private final BudgetAllocator allocator;
    private final Budget budget;
    private final int sinks;
    private final int recent;
    private final boolean onlyAfterPrefill;
    private int resolvedBudget = -1;

    public EvictionPolicy(String spec, Scorer scorer, BudgetAllocator allocator, Budget budget, int sinks, int recent,
                          boolean onlyAfterPrefill) {
        this.spec = spec;
        this.scorer = scorer;
        this.allocator = allocator;
        this.budget = budget;
        this.sinks = sinks;
        this.recent = recent;
        this.onlyAfterPrefill = onlyAfterPrefill;
        if (!budget.isRatio() && sinks + recent > budget.entries()) {
            throw new KvSpecException(spec + ": sinks (" + sinks + ") + recent (" + recent + ") exceed the budget "
                    + budget.entries());
        }
    }

    /** Reads the common parameters: {@code trigger=always|prefill}. */
    public static boolean readOnlyAfterPrefill(Params p, String defaultTrigger) {
        return p.getString("trigger", defaultTrigger, "always", "prefill").equals("prefill");
    }

    @Override
    public String spec() {
        return spec;
    }

    public Scorer scorer() {
        return scorer;
    }

    /** The per-head budget, once resolved (a ratio resolves at the first compression); -1 before. */
    public int resolvedBudget() {
        return budget.isRatio() ? resolvedBudget : budget.entries();
    }

    @Override
    public void attach(KvCache cache, PolicyContext ctx) {
        cache.recordAttention(scorer.recorder());
        cache.keepQueries(ctx.heads(), scorer.queryWindow());
        resolvedBudget = -1;
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
        if (!onlyAfterPrefill) compress(cache, ctx);
    }

    /** Evicts down to the budgets in every head that is over. */
    public void compress(KvCache cache, PolicyContext ctx) {
        if (resolvedBudget < 0) resolvedBudget = budget.resolve(cache.stats().maxEntries());
        int base = resolvedBudget;
        int layers = cache.layers(), heads = cache.kvHeads();
        for (int l = 0; l < layers; l++) {
            int[] sizes = new int[heads];
            for (int h = 0; h < heads; h++) sizes[h] = cache.head(l, h).size();
            if (!allocator.over(l, layers, base, sizes)) continue;
            float[][] scores = new float[heads][];
            for (int h = 0; h < heads; h++) {
                scores[h] = new float[sizes[h]];
                scorer.score(cache, l, h, cache.head(l, h), ctx, scores[h]);
            }
            int[] budgets = allocator.allocate(l, layers, base, scores, sizes);
            for (int h = 0; h < heads; h++) {
                if (sizes[h] > budgets[h]) cache.head(l, h).retain(select(scores[h], sizes[h], budgets[h], sinks, recent));
            }
        }
    }

    /**
     * The indices to keep (ascending): the first {@code sinks}, the last {@code recent}, then the
     * best-scoring others up to {@code budget} (ties: the newer). If sinks + recent exceed the
     * budget, the sinks and the newest entries that fit.
     */
    public static int[] select(float[] scores, int n, int budget, int sinks, int recent) {
        if (budget >= n) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        int s = Math.min(sinks, budget);
        int r = Math.min(recent, budget - s);
        boolean[] keep = new boolean[n];
        for (int i = 0; i < s; i++) keep[i] = true;
        for (int i = n - r; i < n; i++) keep[i] = true;
        int free = budget - s - r;
        if (free > 0) {
            Integer[] candidates = new Integer[n - s - r];
            for (int i = 0; i < candidates.length; i++) candidates[i] = s + i;
            Arrays.sort(candidates, (a, b) -> {
                int c = Float.compare(scores[b], scores[a]);
                return c != 0 ? c : Integer.compare(b, a);
            });
            for (int i = 0; i < free; i++) keep[candidates[i]] = true;
        }
        int[] out = new int[budget];
        int k = 0;
        for (int i = 0; i < n; i++) if (keep[i]) out[k++] = i;
        return out;
    }
}
