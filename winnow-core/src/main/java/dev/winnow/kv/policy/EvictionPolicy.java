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
 * <p>Triggers ({@link Trigger}): with {@code trigger=always} (the default of the accumulated-
 * attention policies) the cache is compressed between prompt chunks (peak ≈ budget + one chunk),
 * after each prompt and after each decoded token, so a head never holds more than its budget
 * for long; with {@code trigger=prefill} (the default of the observation-window policies) only
 * once after each prompt, as the prefill-time papers (SnapKV, PyramidKV, Ada-KV, ChunkKV) do.
 */
public class EvictionPolicy extends BudgetedPolicy {
    private final Scorer scorer;
    private final BudgetAllocator allocator;
    private final int sinks;
    private final Recent recent;

    public EvictionPolicy(String spec, Scorer scorer, BudgetAllocator allocator, Budget budget, int sinks, int recent,
                          boolean onlyAfterPrefill) {
        this(spec, scorer, allocator, budget, sinks, Recent.fixed(recent), onlyAfterPrefill);
    }

    /** With {@code recent} a number or a share of the budget at each compression ({@link Recent}). */
    public EvictionPolicy(String spec, Scorer scorer, BudgetAllocator allocator, Budget budget, int sinks, Recent recent,
                          boolean onlyAfterPrefill) {
        this(spec, scorer, allocator, budget, sinks, recent, Trigger.of(onlyAfterPrefill));
    }

    /** With any {@link Trigger} (the observation-window policies: {@code prefill} by default). */
    public EvictionPolicy(String spec, Scorer scorer, BudgetAllocator allocator, Budget budget, int sinks, Recent recent,
                          Trigger trigger) {
        super(spec, budget, trigger);
        this.scorer = scorer;
        this.allocator = allocator;
        this.sinks = sinks;
        this.recent = recent;
        if (!budget.isRatio() && sinks + recent.of(budget.entries()) > budget.entries()) {
            throw new KvSpecException(spec + ": sinks (" + sinks + ") + recent (" + recent.of(budget.entries())
                    + ") exceed the budget " + budget.entries());
        }
    }

    public Scorer scorer() {
        return scorer;
    }

    @Override
    public void attach(KvCache cache, PolicyContext ctx) {
        cache.recordAttention(scorer.recorder());
        cache.keepQueries(ctx.heads(), scorer.queryWindow());
        super.attach(cache, ctx);
    }

    /** Evicts down to the budgets in every head that is over. */
    public void compress(KvCache cache, PolicyContext ctx) {
        int base = budgetFor(cache);
        int recent = this.recent.of(base);
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
            // Best first: higher score, then the newer entry. Sort (score, index) pairs packed into
            // longs so that ascending order is exactly that (no boxing).
            int m = n - s - r;
            long[] keys = new long[m];
            for (int i = 0; i < m; i++) {
                int idx = s + i;
                int bits = Float.floatToIntBits(scores[idx] == 0f ? 0f : scores[idx]); // -0 → 0
                int ordered = bits >= 0 ? bits : bits ^ 0x7FFFFFFF; // ascending with the float value
                keys[i] = ((long) ~ordered << 32) | (0xFFFFFFFFL & ~idx); // descending score, then descending index
            }
            Arrays.sort(keys);
            for (int i = 0; i < free; i++) keep[~(int) keys[i]] = true;
        }
        int[] out = new int[budget];
        int k = 0;
        for (int i = 0; i < n; i++) if (keep[i]) out[k++] = i;
        return out;
    }
}
