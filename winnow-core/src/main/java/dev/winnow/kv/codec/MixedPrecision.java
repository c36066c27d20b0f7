package dev.winnow.kv.codec;

import dev.winnow.kv.AttentionRecorder;
import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.EvictionPolicy;
import dev.winnow.kv.policy.KvPolicy;
import dev.winnow.kv.policy.KvSpecException;
import dev.winnow.kv.policy.PolicyContext;
import dev.winnow.kv.policy.Scorer;
import java.util.Arrays;
import java.util.Set;

/**
 * Mixed precision per entry: every key and value is held at high or low precision
 * ({@link MixedStore}); new entries arrive at high precision.
 *
 * <ul>
 *   <li>{@code mikv} (MiKV, "No Token Left Behind"): the spec's eviction policy decides, but the
 *       entries it evicts are demoted to low precision instead of dropped — the policy's budget
 *       becomes the number of high-precision entries, and nothing is forgotten.</li>
 *   <li>{@code mixed} (ZipCache): the salient entries — by a scorer of the framework, normalised
 *       attention by default — stay at high precision, the others are demoted: at each trigger a
 *       head keeps its {@code budget} (or the fraction {@code salient} of its entries) best-scoring
 *       high-precision entries and the {@code recent} newest, and demotes the rest.</li>
 * </ul>
 * Demotion is one-way: what low precision lost cannot be regained.
 */
public final class MixedPrecision implements KvComponent {
    private final String spec;
    private final boolean mikv;
    private final KvCodec high;
    private final KvCodec low;
    // mixed only
    private Scorer scorer;
    private final String scorerName;
    private final int budget;
    private final double salient;
    private final int recent;
    private final boolean onlyAfterPrefill;
    /** Low-precision keys channel-separated (ZipCache, MiKV's balancer); off: plain per-token blocks. */
    private boolean balanced = true;

    private MixedPrecision(String spec, boolean mikv, KvCodec high, KvCodec low, Scorer scorer, String scorerName,
                           int budget, double salient, int recent, boolean onlyAfterPrefill) {
        this.spec = spec;
        this.mikv = mikv;
        this.high = high;
        this.low = low;
        this.scorer = scorer;
        this.scorerName = scorerName;
        this.budget = budget;
        this.salient = salient;
        this.recent = recent;
        this.onlyAfterPrefill = onlyAfterPrefill;
    }

    /** MiKV: evicted entries are demoted to {@code low}. */
    public static MixedPrecision mikv(String spec, KvCodec high, KvCodec low) {
        return new MixedPrecision(spec, true, high, low, null, null, 0, 0, 0, false);
    }

    /**
     * ZipCache-style: the best-scoring entries stay at {@code high}.
     *
     * @param scorer the saliency scorer (normalised attention unless the spec names another)
     * @param budget high-precision entries per head, or 0 to use {@code salient}
     * @param salient fraction of a head's entries kept at high precision (when budget is 0)
     */
    public static MixedPrecision mixed(String spec, KvCodec high, KvCodec low, Scorer scorer, String scorerName,
                                       int budget, double salient, int recent, boolean onlyAfterPrefill) {
        return new MixedPrecision(spec, false, high, low, scorer, scorerName, budget, salient, recent, onlyAfterPrefill);
    }

    /** Whether low-precision keys are stored channel-separated (the default); returns this. */
    public MixedPrecision balanced(boolean b) {
        this.balanced = b;
        return this;
    }

    public KvCodec high() {
        return high;
    }

    public KvCodec low() {
        return low;
    }

    @Override
    public Set<Role> roles() {
        return mikv ? Set.of(Role.STORAGE, Role.EVICTED) : Set.of(Role.STORAGE);
    }

    @Override
    public String spec() {
        return spec;
    }

    @Override
    public void compose(KvPolicy eviction) {
        if (mikv) {
            if (eviction == null || eviction.spec().equals("full")) {
                throw new KvSpecException("mikv demotes the entries an eviction policy evicts: add one, e.g. "
                        + "h2o:budget=512+mikv (or use mixed, which picks the salient entries itself)");
            }
            return;
        }
        if (eviction instanceof EvictionPolicy ep) {
            AttentionRecorder mine = scorer.recorder(), theirs = ep.scorer().recorder();
            if (mine != null && theirs != null && mine != theirs) {
                throw new KvSpecException(spec + ": score=" + scorerName + " and '" + eviction.spec()
                        + "' record attention differently; choose score= among the policies that keep the generic"
                        + " statistics, or the eviction policy's own name");
            }
        }
    }

    @Override
    public KvStorage storage(PolicyContext ctx) {
        return KvStorage.of(KvCodec.mixed(high, low, balanced), KvCodec.mixed(high, low, false));
    }

    /** Runs after the eviction policy attached: MiKV's handler, or what the saliency scorer needs. */
    @Override
    public void attach(KvCache cache, PolicyContext ctx) {
        if (mikv) {
            cache.useEvictionHandler(MixedPrecision::demoteEvicted);
            return;
        }
        AttentionRecorder want = scorer.recorder(), have = cache.attentionRecorder();
        if (want != null) {
            if (have == null) cache.recordAttention(want);
            else if (have != want) {
                throw new KvSpecException(spec + ": score=" + scorerName + " and the eviction policy record attention"
                        + " differently; choose score= to match the eviction policy");
            }
        }
        int w = scorer.queryWindow();
        if (w > 0) {
            if (cache.queries() == null) cache.keepQueries(ctx.heads(), w);
            else if (cache.queries().capacity() != w) {
                throw new KvSpecException(spec + ": score=" + scorerName + " needs a query window of " + w
                        + ", the eviction policy keeps " + cache.queries().capacity());
            }
        }
    }

    /** MiKV's handler: the entries not kept are demoted (both key and value), none is dropped. */
    static void demoteEvicted(HeadStore store, int[] keep) {
        int n = store.size();
        int[] losers = new int[n - keep.length];
        for (int i = 0, j = 0, k = 0; i < n; i++) {
            if (j < keep.length && keep[j] == i) j++;
            else losers[k++] = i;
        }
        ((MixedStore) store.keyStore()).demote(losers);
        ((MixedStore) store.valueStore()).demote(losers);
    }

    @Override
    public void afterPrefillChunk(KvCache cache, PolicyContext ctx) {
        if (!onlyAfterPrefill) demoteUnsalient(cache, ctx);
    }

    @Override
    public void afterPrefill(KvCache cache, PolicyContext ctx) {
        demoteUnsalient(cache, ctx);
    }

    @Override
    public void afterDecode(KvCache cache, PolicyContext ctx) {
        if (!onlyAfterPrefill) demoteUnsalient(cache, ctx);
    }

    /** ZipCache: per head, keep the best-scoring high-precision entries within the budget; demote the rest. */
    void demoteUnsalient(KvCache cache, PolicyContext ctx) {
        if (mikv) return;
        for (int l = 0; l < cache.layers(); l++) {
            for (int h = 0; h < cache.kvHeads(); h++) {
                HeadStore s = cache.head(l, h);
                MixedStore keys = (MixedStore) s.keyStore();
                int n = s.size();
                int b = budget > 0 ? budget : (int) Math.ceil(salient * n);
                if (keys.highCount() <= b) continue;
                float[] scores = new float[n];
                scorer.score(cache, l, h, s, ctx, scores);
                int[] losers = unsalient(keys, scores, n, b, recent);
                keys.demote(losers);
                ((MixedStore) s.valueStore()).demote(losers);
            }
        }
    }

    /**
     * The high-precision entries to demote (ascending) so that at most {@code b} stay high: the
     * newest {@code recent} entries are protected, then the best scores (ties: the newer).
     */
    static int[] unsalient(MixedStore keys, float[] scores, int n, int b, int recent) {
        boolean[] keep = new boolean[n];
        int kept = 0;
        for (int i = n - 1; i >= Math.max(0, n - recent) && kept < b; i--) {
            if (!keys.isLow(i)) {
                keep[i] = true;
                kept++;
            }
        }
        Integer[] candidates = new Integer[n];
        int c = 0;
        for (int i = 0; i < n; i++) if (!keys.isLow(i) && !keep[i]) candidates[c++] = i;
        Integer[] cs = Arrays.copyOf(candidates, c);
        Arrays.sort(cs, (x, y) -> {
            int cmp = Float.compare(scores[y], scores[x]);
            return cmp != 0 ? cmp : Integer.compare(y, x);
        });
        for (int j = 0; j < cs.length && kept < b; j++, kept++) keep[cs[j]] = true;
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < n; i++) if (!keys.isLow(i) && !keep[i]) out[k++] = i;
        return Arrays.copyOf(out, k);
    }

    @Override
    public String toString() {
        return spec;
    }
}
