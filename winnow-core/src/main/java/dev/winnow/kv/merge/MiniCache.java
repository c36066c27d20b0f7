package dev.winnow.kv.merge;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.codec.F32KeyStore;
import dev.winnow.kv.codec.F32Store;
import dev.winnow.kv.codec.KvComponent;
import dev.winnow.kv.codec.KvStorage;
import dev.winnow.kv.codec.VectorStore;
import dev.winnow.kv.policy.KvPolicy;
import dev.winnow.kv.policy.KvSpecException;
import dev.winnow.kv.policy.Params;
import dev.winnow.kv.policy.PolicyContext;
import dev.winnow.kv.policy.PolicyInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code minicache}: cross-layer merging (MiniCache, Liu et al. 2024). From layer {@code start}
 * (default: the middle) to the last, adjacent layers are paired — (start, start+1),
 * (start+2, start+3), … — and in each pair the two layers' vectors of the same token (keys
 * and values separately, per KV head) share one direction: the SLERP of their two unit
 * vectors at {@code t}; each layer keeps its own magnitude, so x̂ = ‖x‖ · direction. Token
 * pairs whose angle exceeds {@code angle} degrees are too different to share a direction and
 * stay unmerged (the paper's retention tokens). Layers outside the pairs are untouched (f32).
 *
 * <p>Tokens are merged after each forward pass, once both layers hold them (matched by
 * position, so eviction in one layer of a pair leaves the other's token unmerged). A merged
 * vector costs half a direction plus a magnitude per layer instead of a full vector.
 * Re-rotating a merged key (StreamingLLM's re-positioning) unmerges it in that layer.
 */
public final class MiniCache implements KvComponent {
    public static final PolicyInfo INFO = new PolicyInfo("minicache",
            "adjacent deep layers share one direction per token (SLERP) with per-layer magnitudes",
            "Liu et al. 2024, MiniCache",
            List.of(PolicyInfo.param("start", "layers/2", "first layer of the first merged pair"),
                    PolicyInfo.param("angle", "30", "largest angle (degrees) between two layers' vectors that are merged"),
                    PolicyInfo.param("t", "0.5", "SLERP interpolation: 0 the lower layer's direction, 1 the upper's")),
            MiniCache::create);

    private final String spec;
    private final int start;
    private final double angle;
    private final float t;
    private final float cosMin;
    private int first = -1;

    /**
     * @param start first layer of the first pair, or -1 for the middle
     * @param angle the largest merged angle, degrees
     */
    public MiniCache(String spec, int start, double angle, float t) {
        this.spec = spec;
        this.start = start;
        this.angle = angle;
        this.t = t;
        this.cosMin = (float) Math.cos(Math.toRadians(angle));
    }

    static KvPolicy create(Params p) {
        int start = p.has("start") ? p.getInt("start", 0, 0) : -1;
        double angle = p.getDouble("angle", 30, 0, 180);
        float t = (float) p.getDouble("t", 0.5, 0, 1);
        return new MiniCache(p.spec(), start, angle, t);
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.STORAGE);
    }

    @Override
    public String spec() {
        return spec;
    }

    /** The first layer of the first pair (after {@link #storage}). */
    public int firstLayer() {
        return first;
    }

    public double angle() {
        return angle;
    }

    /** Whether {@code layer} is in a merged pair of a model with {@code layers} layers. */
    public static boolean paired(int layer, int first, int layers) {
        return layer >= first && layer - (layer - first) % 2 + 1 < layers;
    }

    @Override
    public KvStorage storage(PolicyContext ctx) {
        int layers = ctx.layers();
        int f = start < 0 ? layers / 2 : start;
        if (f + 1 >= layers) {
            throw new KvSpecException("minicache: start=" + f + " leaves no pair of adjacent layers in a model of "
                    + layers + " layers (valid: 0 to " + (layers - 2) + ")");
        }
        this.first = f;
        Map<Long, SharedDirections> pools = new HashMap<>();
        return new KvStorage() {
            private VectorStore store(int layer, int kvHead, int headSize, int kind) {
                if (!paired(layer, f, layers)) return kind == 0 ? new F32KeyStore(headSize) : new F32Store(headSize);
                int lower = layer - (layer - f) % 2;
                long key = ((long) lower * 1_000_003L + kvHead) * 2 + kind;
                SharedDirections pool = pools.computeIfAbsent(key, k -> new SharedDirections(headSize));
                return new MiniCacheStore(pool, layer - lower);
            }

            @Override
            public VectorStore keys(int layer, int kvHead, int headSize) {
                return store(layer, kvHead, headSize, 0);
            }

            @Override
            public VectorStore values(int layer, int kvHead, int headSize) {
                return store(layer, kvHead, headSize, 1);
            }

            @Override
            public String describe() {
                return spec;
            }
        };
    }

    @Override
    public void afterPrefillChunk(KvCache cache, PolicyContext ctx) {
        merge(cache);
    }

    @Override
    public void afterPrefill(KvCache cache, PolicyContext ctx) {
        merge(cache);
    }

    @Override
    public void afterDecode(KvCache cache, PolicyContext ctx) {
        merge(cache);
    }

    /** Merges the tokens both layers of each pair hold and that were not considered yet. */
    public void merge(KvCache cache) {
        int layers = cache.layers();
        for (int l = first; l + 1 < layers; l += 2) {
            for (int h = 0; h < cache.kvHeads(); h++) {
                HeadStore a = cache.head(l, h), b = cache.head(l + 1, h);
                int[] pa = positions(a), pb = positions(b);
                mergePending((MiniCacheStore) a.keyStore(), (MiniCacheStore) b.keyStore(), pa, pb, cosMin, t);
                mergePending((MiniCacheStore) a.valueStore(), (MiniCacheStore) b.valueStore(), pa, pb, cosMin, t);
            }
        }
    }

    private static int[] positions(HeadStore s) {
        int[] p = new int[s.size()];
        for (int i = 0; i < p.length; i++) p[i] = s.position(i);
        return p;
    }

    /**
     * Pairs the not yet considered entries of the two sides by position; a pair whose cosine is at
     * least {@code cosMin} becomes one shared direction (SLERP at {@code t}) with both magnitudes.
     */
    static void mergePending(MiniCacheStore a, MiniCacheStore b, int[] posA, int[] posB, float cosMin, float t) {
        int pa = a.processed(), pb = b.processed();
        int dim = a.dim();
        boolean[] ma = new boolean[a.size() - pa], mb = new boolean[b.size() - pb];
        float[] xa = new float[dim], xb = new float[dim], dir = new float[dim];
        int i = pa, j = pb;
        SharedDirections pool = a.pool();
        while (i < a.size() && j < b.size()) {
            if (posA[i] < posB[j]) {
                i++;
            } else if (posA[i] > posB[j]) {
                j++;
            } else {
                a.ownVector(i, xa, 0);
                b.ownVector(j, xb, 0);
                float na = norm(xa), nb = norm(xb);
                if (na > 0 && nb > 0 && cosine(xa, xb, na, nb) >= cosMin) {
                    slerp(xa, na, xb, nb, t, dir);
                    pool.add(dir, 0, na, nb);
                    ma[i - pa] = true;
                    mb[j - pb] = true;
                }
                i++;
                j++;
            }
        }
        a.markMerged(ma);
        b.markMerged(mb);
        a.processedAll();
        b.processedAll();
    }

    static float norm(float[] x) {
        double s = 0;
        for (float v : x) s += (double) v * v;
        return (float) Math.sqrt(s);
    }

    static float cosine(float[] a, float[] b, float na, float nb) {
        double dot = 0;
        for (int c = 0; c < a.length; c++) dot += (double) a[c] * b[c];
        return (float) (dot / ((double) na * nb));
    }

    /**
     * Spherical interpolation of the directions of {@code a} and {@code b} (norms given) at
     * {@code t}: sin((1−t)Ω)/sin Ω · â + sin(tΩ)/sin Ω · b̂, Ω the angle between them; a unit vector
     * (linear interpolation, normalised, when Ω is tiny).
     */
    public static void slerp(float[] a, float na, float[] b, float nb, float t, float[] out) {
        int d = a.length;
        double cos = Math.max(-1, Math.min(1, cosine(a, b, na, nb)));
        double omega = Math.acos(cos);
        double wa, wb;
        if (omega < 1e-4) {
            wa = 1 - t;
            wb = t;
        } else {
            double s = Math.sin(omega);
            wa = Math.sin((1 - t) * omega) / s;
            wb = Math.sin(t * omega) / s;
        }
        double ss = 0;
        double[] r = new double[d];
        for (int c = 0; c < d; c++) {
            r[c] = wa * a[c] / na + wb * b[c] / nb;
            ss += r[c] * r[c];
        }
        double inv = 1 / Math.sqrt(ss);
        for (int c = 0; c < d; c++) out[c] = (float) (r[c] * inv);
    }

    @Override
    public String toString() {
        return spec;
    }
}
