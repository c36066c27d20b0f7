package dev.winnow.kv.sparse;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.Params;
import dev.winnow.kv.policy.PolicyContext;
import dev.winnow.kv.policy.PolicyInfo;
import java.util.Arrays;

/**
 * Quest (Tang et al. 2024): the entries of a head are cut into pages of {@code page} consecutive
 * entries, each with the per-channel minimum and maximum of its keys. A query bounds every
 * page's best score, {@code q·k ≤ Σ_c max(q_c·min_c, q_c·max_c)} (summed over the query heads
 * sharing the store), and the step reads the pages with the highest bounds, as many as fit in
 * the budget, plus the sinks and the recent window. Page bounds are built once per page, as its
 * entries arrive ({@link PageBounds}).
 *
 * <p>As Quest's reference, the first {@code dense} layers (2) read every entry. The reference
 * (multi-head models) bounds pages per query head; with grouped-query attention one selection
 * serves the query heads of a KV head, so {@code bound=sum} (default) ranks pages by the group's
 * summed bound and {@code bound=max} by the largest single query head's bound (a page any head
 * needs ranks high). With one query head per KV head both are the reference's bound.
 */
public final class QuestAttention extends SparseAttention {
    public static final PolicyInfo INFO = new PolicyInfo("quest",
            "pages of keys with per-channel min/max; each step reads the pages whose score bound is highest",
            "Tang et al. 2024, Quest", params(
                    PolicyInfo.param("page", "16", "entries per page (at most the entries left to choose)"),
                    PolicyInfo.param("dense", "2", "first layers read every entry (as the reference)"),
                    PolicyInfo.param("bound", "sum", "page score for a group of query heads: sum | max (per query head)")),
            QuestAttention::new);

    private final int page;
    private final int dense;
    private final boolean perHead;
    private PageBounds[][] bounds;

    public QuestAttention(Params p) {
        super(p);
        int room = choosable();
        this.page = p.getInt("page", Math.min(16, room), 1);
        this.dense = p.getInt("dense", 2, 0);
        this.perHead = p.getString("bound", "sum", "sum", "max").equals("max");
        if (page > room) {
            throw new dev.winnow.kv.policy.KvSpecException("quest: page=" + page + " is larger than the " + room
                    + " entries budget=" + budget + " leaves to choose after sinks and recent; use page <= " + room);
        }
    }

    @Override
    protected void reset(KvCache cache, PolicyContext ctx) {
        bounds = new PageBounds[cache.layers()][cache.kvHeads()];
        for (int l = 0; l < cache.layers(); l++) {
            for (int h = 0; h < cache.kvHeads(); h++) bounds[l][h] = new PageBounds(cache.headSize(), page);
        }
    }

    /** The page bounds of one store (for tests). */
    public PageBounds bounds(int layer, int kvHead) {
        return bounds[layer][kvHead];
    }

    @Override
    protected void prepare(KvCache cache) {
        for (int l = 0; l < cache.layers(); l++) {
            for (int h = 0; h < cache.kvHeads(); h++) bounds[l][h].update(cache.head(l, h));
        }
    }

    @Override
    protected void choose(int layer, float[] q, KvCache cache, Selection out) {
        int group = ctx.groupSize(), hs = cache.headSize();
        if (qPos.length != hs) {
            qPos = new float[hs];
            qNeg = new float[hs];
        }
        for (int kvh = 0; kvh < cache.kvHeads(); kvh++) {
            HeadStore store = cache.head(layer, kvh);
            if (layer < dense || fits(store)) {
                out.all(kvh);
                continue;
            }
            int n = store.size();
            PageBounds pb = bounds[layer][kvh];
            pb.update(store);
            // Pages that hold middle entries: from the sinks' page to the recent window's.
            int firstPage = middleStart() / page, lastPage = (middleEnd(n) - 1) / page;
            int pages = lastPage - firstPage + 1;
            float[] score = scratch(pages);
            if (perHead) {
                if (one.length < pages) one = new float[Math.max(pages, one.length * 2)];
                Arrays.fill(score, 0, pages, Float.NEGATIVE_INFINITY);
                for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                    split(q, h, h + 1, hs);
                    pb.bounds(qPos, qNeg, firstPage, pages, one);
                    for (int j = 0; j < pages; j++) score[j] = Math.max(score[j], one[j]);
                }
            } else {
                split(q, kvh * group, (kvh + 1) * group, hs);
                pb.bounds(qPos, qNeg, firstPage, pages, score);
            }
            readPages(out, kvh, n, score, pages, firstPage);
        }
    }

    /** The summed queries of heads {@code from … to−1}, split into their positive and negative parts. */
    private void split(float[] q, int from, int to, int hs) {
        Arrays.fill(qPos, 0f);
        Arrays.fill(qNeg, 0f);
        for (int h = from; h < to; h++) {
            for (int c = 0; c < hs; c++) {
                float v = q[h * hs + c];
                if (v > 0) qPos[c] += v;
                else qNeg[c] += v;
            }
        }
    }

    private float[] one = new float[64];

    /**
     * Head {@code kvh} reads the sinks, the recent window and the middle entries of the pages with
     * the highest bounds — whole pages only, as many as the budget holds — in entry order.
     */
    private void readPages(Selection out, int kvh, int n, float[] score, int pages, int firstPage) {
        long[] ranked = rankedPages(score, pages);
        int room = choosable(), from = middleStart(), to = middleEnd(n);
        if (chosen.length < pages) chosen = new boolean[Math.max(pages, chosen.length * 2)];
        Arrays.fill(chosen, 0, pages, false);
        int c = 0;
        for (int r = 0; r < pages && c < room; r++) {
            int p = firstPage + (int) ranked[r];
            int size = Math.min(to, (p + 1) * page) - Math.max(from, p * page);
            if (c + size > room) continue; // a page is read whole or not at all
            chosen[p - firstPage] = true;
            c += size;
        }
        int[] buf = out.buffer(kvh, sinks + c + recent);
        int k = 0;
        for (int i = 0; i < sinks; i++) buf[k++] = i;
        for (int j = 0; j < pages; j++) {
            if (!chosen[j]) continue;
            int p = firstPage + j;
            for (int i = Math.max(from, p * page), hi = Math.min(to, (p + 1) * page); i < hi; i++) buf[k++] = i;
        }
        for (int i = to; i < n; i++) buf[k++] = i;
        out.use(kvh, k);
    }

    private long[] keys = new long[64];
    private boolean[] chosen = new boolean[64];
    private float[] qPos = new float[0];
    private float[] qNeg = new float[0];

    /** Page numbers by descending score, ties by ascending page (in the low 32 bits of each element). */
    private long[] rankedPages(float[] score, int pages) {
        if (keys.length < pages) keys = new long[Math.max(pages, keys.length * 2)];
        for (int p = 0; p < pages; p++) keys[p] = ((long) ~sortable(score[p]) << 32) | p;
        java.util.Arrays.sort(keys, 0, pages);
        for (int p = 0; p < pages; p++) keys[p] &= 0xffffffffL;
        return keys;
    }

    /** An int whose signed order is the float's order (NaN last). */
    private static int sortable(float f) {
        int bits = Float.floatToIntBits(Float.isNaN(f) ? Float.NEGATIVE_INFINITY : f);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }
}
