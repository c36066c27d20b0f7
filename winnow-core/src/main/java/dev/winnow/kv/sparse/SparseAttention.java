package dev.winnow.kv.sparse;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.codec.KvComponent;
import dev.winnow.kv.policy.EvictionPolicy;
import dev.winnow.kv.policy.KvPolicy;
import dev.winnow.kv.policy.KvSpecException;
import dev.winnow.kv.policy.Params;
import dev.winnow.kv.policy.PolicyContext;
import dev.winnow.kv.policy.PolicyInfo;
import java.util.List;
import java.util.Set;

/**
 * The shared machine of the sparse-attention methods: every entry stays in the cache, and each
 * decoding step of each layer and KV head reads at most {@code budget} of them — the first
 * {@code sinks} entries and the {@code recent} newest always, plus the entries of the middle
 * that the method chooses. A head holding no more than the budget is read whole, so a budget at
 * least the cache's size is exactly full attention. Prefill is never sparse.
 *
 * <p>A method implements {@link #choose}; the helpers here turn its scores or its picks into a
 * {@link Selection} with the sinks and the recent window added.
 */
public abstract class SparseAttention implements KvComponent, EntrySelector {
    protected final String spec;
    protected final int budget;
    protected final int sinks;
    protected final int recent;
    protected PolicyContext ctx;
    private final TopK topK = new TopK();
    private float[] scratch = new float[64];
    private int[] picks = new int[64];

    protected SparseAttention(Params p) {
        this.spec = p.spec();
        this.budget = p.getInt("budget", 256, 1);
        this.sinks = p.getInt("sinks", Math.min(4, budget / 16), 0);
        this.recent = p.getInt("recent", budget / 8, 0);
        if (sinks + recent >= budget) {
            throw new KvSpecException(p.policy() + ": sinks (" + sinks + ") + recent (" + recent
                    + ") must leave room in the budget (" + budget + ") for the entries the method chooses");
        }
    }

    /** The parameters every sparse method takes, then a method's own, for {@link PolicyInfo}. */
    static List<PolicyInfo.Param> params(PolicyInfo.Param... own) {
        List<PolicyInfo.Param> p = new java.util.ArrayList<>(List.of(
                PolicyInfo.param("budget", "256", "entries each head reads per decoding step (sinks and recent included)"),
                PolicyInfo.param("sinks", "min(4, budget/16)", "first entries always read"),
                PolicyInfo.param("recent", "budget/8", "newest entries always read")));
        p.addAll(List.of(own));
        return List.copyOf(p);
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.SELECTION);
    }

    @Override
    public String spec() {
        return spec;
    }

    public int budget() {
        return budget;
    }

    /**
     * Rejects eviction policies that score entries by the attention they receive during decoding
     * (H2O, TOVA, …): with sparse attention the entries not read receive none, so such a policy
     * would evict them for not being read — the opposite of what sparse attention is for.
     */
    @Override
    public void compose(KvPolicy eviction) {
        if (eviction instanceof EvictionPolicy ep && ep.scorer().recorder() != null) {
            throw incompatible(eviction.spec());
        }
    }

    private KvSpecException incompatible(String eviction) {
        return new KvSpecException("'" + eviction + "' scores entries by the attention they receive while decoding, but '" + spec
                + "' reads only some entries per step, so the others would be evicted for not being read; combine sparse "
                + "attention with a position- or prefill-based policy (streaming, window, snapkv, pyramidkv, adakv, knorm, …)");
    }

    @Override
    public void attach(KvCache cache, PolicyContext ctx) {
        if (cache.attentionRecorder() != null) throw incompatible("the eviction policy");
        this.ctx = ctx;
        reset(cache, ctx);
        cache.useSelector(this);
    }

    /**
     * After each prompt chunk: methods that keep a structure per store (page bounds, label
     * values, signatures) extend it here, so that the first decoding step after a long prompt
     * does not pay for the whole prompt at once.
     */
    @Override
    public void afterPrefillChunk(KvCache cache, PolicyContext ctx) {
        prepare(cache);
    }

    @Override
    public void afterPrefill(KvCache cache, PolicyContext ctx) {
        prepare(cache);
    }

    /** Extends per-store structures to the entries the cache holds now (default: none). */
    protected void prepare(KvCache cache) {
    }

    /** Called on attach: drop per-session state. */
    protected void reset(KvCache cache, PolicyContext ctx) {
    }

    @Override
    public final void select(int layer, float[] q, KvCache cache, Selection out) {
        choose(layer, q, cache, out);
    }

    /**
     * Fills {@code out} for every KV head of {@code layer}; heads with {@link #fits} entries
     * should be read whole ({@link Selection#all}).
     */
    protected abstract void choose(int layer, float[] q, KvCache cache, Selection out);

    /** Whether a store is small enough to be read whole. */
    protected final boolean fits(HeadStore store) {
        return store.size() <= budget;
    }

    /** Entries of the middle a method may choose for a store of {@code n} entries. */
    protected final int choosable() {
        return budget - sinks - recent;
    }

    /** First index of the middle (after the sinks). */
    protected final int middleStart() {
        return sinks;
    }

    /** End (exclusive) of the middle of a store of {@code n} entries (before the recent window). */
    protected final int middleEnd(int n) {
        return n - recent;
    }

    /** A scratch array of at least {@code n} floats (reused; single-threaded selection). */
    protected final float[] scratch(int n) {
        if (scratch.length < n) scratch = new float[Math.max(n, scratch.length * 2)];
        return scratch;
    }

    /**
     * Head {@code kvHead} reads the sinks, the recent window and the {@link #choosable} middle
     * entries with the highest scores; {@code middleScores[j]} is the score of entry
     * {@code middleStart() + j}.
     */
    protected final void keepTop(Selection out, int kvHead, int n, float[] middleScores) {
        int[] buf = out.buffer(kvHead, budget);
        int c = 0;
        for (int i = 0; i < sinks; i++) buf[c++] = i;
        c += topK.select(middleScores, 0, middleStart(), middleEnd(n), choosable(), buf, c);
        for (int i = middleEnd(n); i < n; i++) buf[c++] = i;
        out.use(kvHead, c);
    }

    /**
     * Head {@code kvHead} reads the sinks, the recent window and the listed entries
     * ({@code listed[0…count)}, any order, duplicates and entries outside the middle ignored, at
     * most {@link #choosable} of the middle ones taken, in list order).
     */
    protected final void keepListed(Selection out, int kvHead, int n, int[] listed, int count) {
        int from = middleStart(), to = middleEnd(n), room = choosable();
        if (picks.length < count) picks = new int[Math.max(count, picks.length * 2)];
        int m = 0;
        for (int j = 0; j < count && m < room; j++) {
            int i = listed[j];
            if (i >= from && i < to) picks[m++] = i;
        }
        int[] buf = out.buffer(kvHead, sinks + m + recent);
        int c = 0;
        for (int i = 0; i < sinks; i++) buf[c++] = i;
        c += topK.ascending(picks, m, from, to, buf, c);
        for (int i = to; i < n; i++) buf[c++] = i;
        out.use(kvHead, c);
    }

    /** Top-{@code k} indices of a score range (see {@link TopK}), ascending; returns how many. */
    protected final int top(float[] scores, int scoresOff, int from, int to, int k, int[] out) {
        return topK.select(scores, scoresOff, from, to, k, out, 0);
    }

    @Override
    public String toString() {
        return spec;
    }
}
