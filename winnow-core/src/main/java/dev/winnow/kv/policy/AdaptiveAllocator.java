package dev.winnow.kv.policy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ada-KV's budgets: the heads of a layer compete for the layer's budget. Every head keeps its
 * last {@code recent} entries (the observation window, outside the competition); of the rest,
 * the layer keeps the {@code heads × (base − recent)} best-scoring entries over all its heads,
 * where each head's best {@code floor(alpha × (base − recent))} entries are kept first (the
 * safeguard floor). A head's budget is its window plus the entries of its own that were chosen,
 * so the budgets sum to {@code heads × base} and each is at least {@code recent + floor}.
 *
 * <p>The floor follows kvpress's {@code AdaKVPress} ({@code alpha_safeguard}: the top
 * {@code alpha × n} of each head are protected before the global top-k); the window outside
 * the competition follows KVCache-Factory's {@code AdaKVCluster}. Scores must be comparable
 * across the heads of a layer (SnapKV's are: each head's window queries sum to the same mass).
 * Ties: within a head the newer entry first (as {@link EvictionPolicy#select}, so the entries
 * the allocator counted are the ones the head keeps); across heads the lower head first.
 */
public final class AdaptiveAllocator implements BudgetAllocator {
    private final double alpha;
    private final int recent;

    /**
     * @param alpha the per-head floor as a fraction of the per-head budget, in [0, 1]
     * @param recent newest entries of each head kept outside the competition
     */
    public AdaptiveAllocator(double alpha, int recent) {
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        if (recent < 0) throw new IllegalArgumentException("recent must be >= 0, got " + recent);
        this.alpha = alpha;
        this.recent = recent;
    }

    /** Entries each head keeps at least from the competition, for per-head budget {@code base}. */
    public int floor(int base) {
        return (int) (alpha * Math.max(0, base - Math.min(recent, base)));
    }

    @Override
    public int[] allocate(int layer, int layers, int base, float[][] scores, int[] sizes) {
        int heads = sizes.length;
        int w = Math.min(recent, base);
        int pool = heads * (base - w);
        int floor = floor(base);
        int[] budgets = new int[heads];
        List<int[]> rest = new ArrayList<>(); // {head, entry}
        int taken = 0;
        for (int h = 0; h < heads; h++) {
            int mandatory = Math.min(w, sizes[h]);
            int candidates = sizes[h] - mandatory;
            Integer[] order = new Integer[candidates];
            for (int i = 0; i < candidates; i++) order[i] = i;
            float[] s = scores[h];
            Arrays.sort(order, (a, b) -> {
                int c = Float.compare(s[b], s[a]);
                return c != 0 ? c : Integer.compare(b, a);
            });
            int protect = Math.min(floor, candidates);
            budgets[h] = mandatory + protect;
            taken += protect;
            for (int r = protect; r < candidates; r++) rest.add(new int[] {h, order[r]});
        }
        int free = Math.max(0, pool - taken);
        if (free > 0) {
            // Stable sort: equal scores keep head order, and within a head the newer-first order.
            rest.sort((a, b) -> Float.compare(scores[b[0]][b[1]], scores[a[0]][a[1]]));
            for (int i = 0; i < Math.min(free, rest.size()); i++) budgets[rest.get(i)[0]]++;
        }
        return budgets;
    }

    /** Compresses when the layer holds more than {@code heads × base} entries in all. */
    @Override
    public boolean over(int layer, int layers, int base, int[] sizes) {
        long total = 0;
        for (int s : sizes) total += s;
        return total > (long) sizes.length * base;
    }
}
