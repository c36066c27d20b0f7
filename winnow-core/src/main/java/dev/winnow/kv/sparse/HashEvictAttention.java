package dev.winnow.kv.sparse;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.Params;
import dev.winnow.kv.policy.PolicyContext;
import dev.winnow.kv.policy.PolicyInfo;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * An LSH pre-filter in the manner of HashEvict (Liu et al. 2024): queries and keys are hashed by
 * the signs of {@code bits} random projections (SimHash, one seeded Gaussian matrix per layer);
 * the Hamming distance between a query's and a key's signatures predicts their angle, so the
 * {@code candidates × (budget − sinks − recent)} entries nearest in Hamming distance (summed over
 * the query heads sharing the store) are scored exactly, and the best of those are read
 * ({@code candidates=1}: the Hamming ranking alone picks them, no exact score). Keys are
 * hashed once, as they arrive ({@link SignatureCache}). HashEvict itself evicts by this
 * prediction; here it only decides what a step reads, so nothing is lost.
 */
public final class HashEvictAttention extends SparseAttention {
    public static final PolicyInfo INFO = new PolicyInfo("hashevict",
            "sign random projections of query and keys; nearest in Hamming distance are scored exactly, the best read",
            "Liu et al. 2024, HashEvict", params(
                    PolicyInfo.param("bits", "32", "sign bits per signature (1-64)"),
                    PolicyInfo.param("candidates", "2", "entries scored exactly, as a multiple of the chosen entries (1: none, Hamming ranking only)"),
                    PolicyInfo.param("seed", "11", "seed of the projections")), HashEvictAttention::new);

    private final int bits;
    private final int candidates;
    private final long seed;
    private float[][] projections; // per layer
    private SignatureCache[][] signatures;
    private int[] cand = new int[64];
    private int[] best = new int[64];
    private float[] exact = new float[64];
    private float[] headScores = new float[64];

    public HashEvictAttention(Params p) {
        super(p);
        this.bits = p.getInt("bits", 32, 1);
        if (bits > 64) throw new dev.winnow.kv.policy.KvSpecException("hashevict: bits=" + bits + " must be at most 64");
        this.candidates = p.getInt("candidates", 2, 1);
        this.seed = p.getInt("seed", 11, 0);
    }

    @Override
    protected void reset(KvCache cache, PolicyContext ctx) {
        int hs = cache.headSize();
        projections = new float[cache.layers()][bits * hs];
        signatures = new SignatureCache[cache.layers()][cache.kvHeads()];
        for (int l = 0; l < cache.layers(); l++) {
            SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + l);
            for (int i = 0; i < projections[l].length; i++) projections[l][i] = (float) gaussian(rnd);
            for (int h = 0; h < cache.kvHeads(); h++) signatures[l][h] = new SignatureCache(projections[l], bits, hs);
        }
    }

    private static double gaussian(SplittableRandom rnd) {
        double u = rnd.nextDouble(), v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    @Override
    protected void prepare(KvCache cache) {
        for (int l = 0; l < cache.layers(); l++) {
            for (int h = 0; h < cache.kvHeads(); h++) signatures[l][h].update(cache.head(l, h));
        }
    }

    @Override
    protected void choose(int layer, float[] q, KvCache cache, Selection out) {
        int group = ctx.groupSize(), hs = cache.headSize();
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (int kvh = 0; kvh < cache.kvHeads(); kvh++) {
            HeadStore store = cache.head(layer, kvh);
            if (fits(store)) {
                out.all(kvh);
                continue;
            }
            int n = store.size(), from = middleStart(), to = middleEnd(n);
            SignatureCache sc = signatures[layer][kvh];
            sc.update(store);
            float[] agreement = scratch(to - from);
            Arrays.fill(agreement, 0, to - from, 0f);
            for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                sc.addAgreement(SignatureCache.signature(projections[layer], bits, hs, q, h * hs), from, to, agreement);
            }
            int want = (int) Math.min((long) candidates * choosable(), to - from);
            if (cand.length < want) cand = new int[want];
            int m = top(agreement, 0, from, to, want, cand);
            if (candidates == 1) { // the Hamming ranking alone decides
                keepListed(out, kvh, n, cand, m);
                continue;
            }
            // Exact scores of the candidates, summed over the group's heads.
            if (exact.length < m) {
                exact = new float[m];
                headScores = new float[m];
            }
            Arrays.fill(exact, 0, m, 0f);
            for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                store.scoresAt(q, h * hs, cand, m, scale, headScores);
                for (int j = 0; j < m; j++) exact[j] += headScores[j];
            }
            if (best.length < choosable()) best = new int[choosable()];
            int k = top(exact, 0, 0, m, choosable(), best);
            for (int j = 0; j < k; j++) best[j] = cand[best[j]];
            keepListed(out, kvh, n, best, k);
        }
    }
}
