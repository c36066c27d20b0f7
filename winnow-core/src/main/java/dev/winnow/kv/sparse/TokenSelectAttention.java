package dev.winnow.kv.sparse;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.Params;
import dev.winnow.kv.policy.PolicyContext;
import dev.winnow.kv.policy.PolicyInfo;
import java.util.Arrays;

/**
 * TokenSelect (Wu et al. 2024): every query head scores all keys ({@code q·k} on the encoded
 * keys — cheap when they are quantized), each head's softmax is a soft vote, the votes are
 * summed over the layer's heads (over the heads of each KV group when the layer's stores hold
 * different entries), and the top entries are read. While consecutive queries of a layer are
 * similar (cosine ≥ {@code threshold}), the previous selection is reused without scoring.
 */
public final class TokenSelectAttention extends SparseAttention {
    public static final PolicyInfo INFO = new PolicyInfo("tokenselect",
            "per-head q·k over all keys, soft votes summed across heads, top entries; reused while queries stay similar",
            "Wu et al. 2024, TokenSelect", params(
                    PolicyInfo.param("threshold", "0.9", "cosine similarity of consecutive queries above which the selection is reused")), TokenSelectAttention::new);

    private final double threshold;
    private float[][] previousQuery;  // per layer (null until the first step)
    private int[][][] chosen;         // per layer, KV head: positions picked (null: none)
    private int[][] chosenCount;
    private boolean[] voted;          // per layer: a selection exists to reuse
    private float[] probs = new float[64];
    private int[] picked = new int[64];
    private int[] mapped = new int[64];
    private long reused, computed;
    private double lastSimilarity = Double.NaN;

    public TokenSelectAttention(Params p) {
        super(p);
        this.threshold = p.getDouble("threshold", 0.9, -1, 1);
    }

    @Override
    protected void reset(KvCache cache, PolicyContext ctx) {
        previousQuery = new float[cache.layers()][];
        chosen = new int[cache.layers()][cache.kvHeads()][];
        chosenCount = new int[cache.layers()][cache.kvHeads()];
        voted = new boolean[cache.layers()];
        reused = computed = 0;
    }

    /** Layer steps that reused the previous selection. */
    public long reused() {
        return reused;
    }

    /** Layer steps that scored every key. */
    public long computed() {
        return computed;
    }

    /** The cosine similarity of the latest layer step's query with the previous one (NaN if none). */
    public double lastSimilarity() {
        return lastSimilarity;
    }

    @Override
    protected void choose(int layer, float[] q, KvCache cache, Selection out) {
        int kvHeads = cache.kvHeads(), hs = cache.headSize(), qLen = ctx.heads() * hs;
        float[] prev = previousQuery[layer];
        lastSimilarity = prev == null ? Double.NaN : cosine(q, prev, qLen);
        if (prev == null) prev = previousQuery[layer] = new float[qLen];
        System.arraycopy(q, 0, prev, 0, qLen);
        boolean anyOver = false;
        for (int kvh = 0; kvh < kvHeads; kvh++) anyOver |= !fits(cache.head(layer, kvh));
        if (!anyOver) {
            for (int kvh = 0; kvh < kvHeads; kvh++) out.all(kvh);
            return;
        }
        boolean reuse = voted[layer] && lastSimilarity >= threshold;
        if (reuse) reused++;
        else {
            computed++;
            vote(layer, q, cache);
        }
        for (int kvh = 0; kvh < kvHeads; kvh++) {
            HeadStore store = cache.head(layer, kvh);
            if (fits(store) || chosen[layer][kvh] == null) {
                out.all(kvh);
                continue;
            }
            int k = chosenCount[layer][kvh];
            if (mapped.length < k) mapped = new int[Math.max(k, mapped.length * 2)];
            int m = 0;
            for (int j = 0; j < k; j++) {
                int i = store.indexOfPosition(chosen[layer][kvh][j]);
                if (i >= 0) mapped[m++] = i;
            }
            keepListed(out, kvh, store.size(), mapped, m);
        }
    }

    /** Scores every key with every head, sums the heads' softmax votes, and remembers the top positions per KV head. */
    private void vote(int layer, float[] q, KvCache cache) {
        int kvHeads = cache.kvHeads(), hs = cache.headSize(), group = ctx.groupSize();
        float scale = (float) (1.0 / Math.sqrt(hs));
        voted[layer] = true;
        boolean shared = aligned(cache, layer);
        int n0 = cache.head(layer, 0).size();
        float[] votes = scratch(n0);
        if (shared) {
            Arrays.fill(votes, 0, n0, 0f);
            for (int h = 0; h < ctx.heads(); h++) addVotes(cache.head(layer, h / group), q, h * hs, scale, votes);
        }
        for (int kvh = 0; kvh < kvHeads; kvh++) {
            HeadStore store = cache.head(layer, kvh);
            int n = store.size();
            if (fits(store)) {
                chosen[layer][kvh] = null;
                continue;
            }
            if (!shared) {
                votes = scratch(n);
                Arrays.fill(votes, 0, n, 0f);
                for (int h = kvh * group; h < (kvh + 1) * group; h++) addVotes(store, q, h * hs, scale, votes);
            }
            if (picked.length < choosable()) picked = new int[choosable()];
            int k = top(votes, middleStart(), middleStart(), middleEnd(n), choosable(), picked);
            int[] pos = chosen[layer][kvh];
            if (pos == null || pos.length < k) pos = chosen[layer][kvh] = new int[Math.max(k, 16)];
            for (int j = 0; j < k; j++) pos[j] = store.position(picked[j]);
            chosenCount[layer][kvh] = k;
        }
    }

    private void addVotes(HeadStore store, float[] q, int qOff, float scale, float[] votes) {
        int n = store.size();
        if (probs.length < n) probs = new float[Math.max(n, probs.length * 2)];
        store.scores(q, qOff, n, scale, probs);
        LayerSelectedAttention.addSoftmax(probs, n, votes);
    }

    /** Whether every store of the layer holds the same positions (then the whole layer votes together). */
    private static boolean aligned(KvCache cache, int layer) {
        HeadStore first = cache.head(layer, 0);
        for (int kvh = 1; kvh < cache.kvHeads(); kvh++) {
            HeadStore s = cache.head(layer, kvh);
            if (s.size() != first.size()) return false;
            for (int i = 0; i < s.size(); i++) if (s.position(i) != first.position(i)) return false;
        }
        return true;
    }

    static double cosine(float[] a, float[] b, int n) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < n; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }
}
