package dev.winnow.kv.policy;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code duo}: DuoAttention (Xiao et al., 2024) with RazorAttention's (Tang et al., 2024)
 * training-free head classification. Retrieval heads keep every entry; streaming heads keep the
 * first {@code sinks} and the last {@code window} entries. The heads are classified by a
 * profiling pass ({@link HeadProfile}: induction/echo attention on a random sequence repeated
 * twice): the top {@code retrieval} fraction of all KV heads by score, or those scoring at least
 * {@code threshold}, are retrieval heads.
 *
 * <p>The profile is cached in a text file: {@code profile=auto} (default) uses
 * {@code <model>.winnow-heads} next to the model file, loading it when present and fresh (same
 * model size and modification time, probe and seed), else profiling and writing it (when the
 * directory is not writable the profile is kept in memory only); {@code profile=PATH} does the
 * same with that file (failing to write it is an error); {@code profile=off} always profiles and
 * writes nothing. A corrupt file is
 * an error naming the file, the line and what is wrong.
 *
 * <p>{@code compensate=true} adds RazorAttention's compensation token: each streaming head keeps
 * one extra entry whose key and value are the mean of the keys and values it dropped (a running
 * mean over every compression; it takes the place and position of the newest dropped entry, between
 * the sinks and the window, so positions stay ascending). DuoAttention's
 * optimisation-based head gates (trained on synthetic passkey data) are not reproduced.
 */
public final class DuoAttentionPolicy implements WindowedPolicy {
    public static final PolicyInfo INFO = new PolicyInfo("duo",
            "retrieval heads keep all, streaming heads keep sinks + window; heads classified by profiling",
            "Xiao et al. 2024, DuoAttention; Tang et al. 2024, RazorAttention",
            List.of(PolicyInfo.param("sinks", "4", "first entries kept by streaming heads"),
                    PolicyInfo.param("window", "256", "most recent entries kept by streaming heads"),
                    PolicyInfo.param("retrieval", "0.25", "fraction of KV heads (over all layers) that are retrieval heads"),
                    PolicyInfo.param("threshold", "-", "instead of retrieval: heads scoring at least this are retrieval heads"),
                    PolicyInfo.param("probe", "256", "random tokens in the profiling sequence (repeated twice)"),
                    PolicyInfo.param("seed", "7", "seed of the profiling sequence"),
                    PolicyInfo.param("profile", "auto", "auto (<model>.winnow-heads) | off | PATH of the profile file"),
                    PolicyInfo.param("compensate", "false", "RazorAttention compensation token per streaming head (true | false)")),
            DuoAttentionPolicy::create);

    /** Suffix of the profile file next to the model in {@code profile=auto}. */
    public static final String PROFILE_SUFFIX = ".winnow-heads";

    /** Where the classification came from. */
    public enum ProfileSource { LOADED, COMPUTED_AND_SAVED, COMPUTED }

    private final String spec;
    private final int sinks;
    private final int window;
    private final double fraction;
    private final double threshold;
    private final int probe;
    private final long seed;
    private final String profileMode;
    private final boolean compensate;

    private HeadProfile profile;
    private boolean[][] retrieval;
    private ProfileSource source;
    private Path profileFile;
    // Compensation token per head: its index in the store (-1: none) and how many entries it averages.
    private int[][] compIndex;
    private long[][] compCount;

    DuoAttentionPolicy(String spec, int sinks, int window, double fraction, double threshold, int probe, long seed,
                       String profileMode, boolean compensate) {
        this.spec = spec;
        this.sinks = sinks;
        this.window = window;
        this.fraction = fraction;
        this.threshold = threshold;
        this.probe = probe;
        this.seed = seed;
        this.profileMode = profileMode;
        this.compensate = compensate;
    }

    static KvPolicy create(Params p) {
        int sinks = p.getInt("sinks", 4, 0);
        int window = p.getInt("window", 256, 1);
        boolean hasFraction = p.has("retrieval"), hasThreshold = p.has("threshold");
        if (hasFraction && hasThreshold) {
            throw new KvSpecException(p.policy() + ": give either retrieval=F (fraction of heads) or threshold=T, not both");
        }
        double fraction = p.getDouble("retrieval", 0.25, 0, 1);
        double threshold = hasThreshold ? p.getDouble("threshold", 0, 0, 1) : -1;
        int probe = p.getInt("probe", 256, 2);
        long seed = p.getInt("seed", 7, 0);
        String profile = p.getString("profile", "auto");
        if (profile.isBlank()) throw new KvSpecException(p.policy() + ": profile='' should be auto, off or a file path");
        boolean compensate = p.getString("compensate", "false", "true", "false").equals("true");
        return new DuoAttentionPolicy(p.spec(), sinks, window, fraction, threshold, probe, seed, profile, compensate);
    }

    @Override
    public String spec() {
        return spec;
    }

    /** The head scores (after {@link #attach}). */
    public HeadProfile profile() {
        return profile;
    }

    /** Whether a KV head is a retrieval head (after {@link #attach}). */
    public boolean isRetrieval(int layer, int kvHead) {
        return retrieval[layer][kvHead];
    }

    /** A copy of the classification, {@code [layer][kvHead]}, true for retrieval heads. */
    public boolean[][] retrievalHeads() {
        boolean[][] c = new boolean[retrieval.length][];
        for (int l = 0; l < c.length; l++) c[l] = retrieval[l].clone();
        return c;
    }

    public ProfileSource profileSource() {
        return source;
    }

    /** The profile file used, or null ({@code profile=off}, or no model file). */
    public Path profileFile() {
        return profileFile;
    }

    /** Entries a streaming head ends with: sinks + window (+ 1 with compensation). */
    public int streamingEntries() {
        return sinks + window + (compensate ? 1 : 0);
    }

    @Override
    public void attach(KvCache cache, PolicyContext ctx) {
        cache.recordAttention(null);
        cache.keepQueries(ctx.heads(), 0);
        if (profile == null || profile.layers() != ctx.layers() || profile.kvHeads() != ctx.kvHeads()) loadOrProfile(ctx);
        compIndex = new int[ctx.layers()][ctx.kvHeads()];
        for (int[] row : compIndex) java.util.Arrays.fill(row, -1);
        compCount = new long[ctx.layers()][ctx.kvHeads()];
    }

    private String rule() {
        return threshold >= 0 ? "threshold=" + threshold : "retrieval=" + fraction;
    }

    private void loadOrProfile(PolicyContext ctx) {
        ProfileFile where = ProfileFile.resolve(profileMode, ctx.modelFile(), PROFILE_SUFFIX, spec);
        Path file = where.file();
        long size = where.modelSize(), mtime = where.modelMtime();
        profileFile = file;
        HeadProfile loaded = file == null ? null : HeadProfile.read(file);
        if (loaded != null) {
            if (loaded.layers() != ctx.layers() || loaded.kvHeads() != ctx.kvHeads()) {
                throw HeadProfile.corrupt(file, 0, "it is for a model with " + loaded.layers() + " layers x "
                        + loaded.kvHeads() + " KV heads, this model has " + ctx.layers() + " x " + ctx.kvHeads());
            }
            boolean fresh = loaded.probe() == probe && loaded.seed() == seed
                    && where.matches(loaded.modelSize(), loaded.modelMtime());
            if (fresh) {
                use(loaded, ProfileSource.LOADED);
                return;
            }
        }
        HeadProfile measured = HeadProfile.measure(ctx, probe, seed, size, mtime);
        boolean[][] classes = measured.classify(fraction, threshold);
        ProfileSource src = ProfileSource.COMPUTED;
        if (file != null) {
            try {
                measured.write(where.saveTarget(), classes, rule());
                profileFile = where.saveTo();
                src = ProfileSource.COMPUTED_AND_SAVED;
            } catch (UncheckedIOException e) {
                // profile=auto next to a read-only model: keep the profile in memory for this policy.
                if (!profileMode.equals("auto")) throw e;
            }
        }
        use(measured, src);
    }

    private void use(HeadProfile p, ProfileSource src) {
        profile = p;
        retrieval = p.classify(fraction, threshold);
        source = src;
    }

    @Override
    public void compress(KvCache cache, PolicyContext ctx) {
        for (int l = 0; l < cache.layers(); l++) {
            for (int h = 0; h < cache.kvHeads(); h++) {
                if (retrieval[l][h]) continue;
                HeadStore s = cache.head(l, h);
                int comp = compIndex[l][h];
                int n = s.size() - (comp >= 0 ? 1 : 0); // entries other than the compensation token
                if (n <= sinks + window) continue;
                int[] others = new int[n];
                for (int i = 0, k = 0; i < s.size(); i++) if (i != comp) others[k++] = i;
                int[] keep = new int[sinks + window];
                for (int i = 0; i < sinks; i++) keep[i] = others[i];
                for (int i = 0; i < window; i++) keep[sinks + i] = others[n - window + i];
                if (!compensate) {
                    s.retain(keep);
                    continue;
                }
                // Running mean of the dropped keys and values.
                int hs = s.headSize();
                float[] key = new float[hs], value = new float[hs], tmp = new float[hs];
                long count = compCount[l][h];
                double[] ks = new double[hs], vs = new double[hs];
                if (comp >= 0) {
                    s.key(comp, tmp, 0);
                    for (int c = 0; c < hs; c++) ks[c] = (double) tmp[c] * count;
                    s.value(comp, tmp, 0);
                    for (int c = 0; c < hs; c++) vs[c] = (double) tmp[c] * count;
                }
                int newest = -1;
                for (int j = sinks; j < n - window; j++) {
                    int i = others[j];
                    s.key(i, tmp, 0);
                    for (int c = 0; c < hs; c++) ks[c] += tmp[c];
                    s.value(i, tmp, 0);
                    for (int c = 0; c < hs; c++) vs[c] += tmp[c];
                    newest = Math.max(newest, i);
                    count++;
                }
                for (int c = 0; c < hs; c++) {
                    key[c] = (float) (ks[c] / count);
                    value[c] = (float) (vs[c] / count);
                }
                // The newest dropped entry stays, between the sinks and the window, and becomes the
                // token: positions stay ascending (indexOfPosition, position-carrying sparse methods).
                int[] withComp = new int[keep.length + 1];
                System.arraycopy(keep, 0, withComp, 0, sinks);
                withComp[sinks] = newest;
                System.arraycopy(keep, sinks, withComp, sinks + 1, window);
                s.retain(withComp);
                s.setKey(sinks, key, 0);
                s.setValue(sinks, value, 0);
                compIndex[l][h] = sinks;
                compCount[l][h] = count;
            }
        }
    }

    @Override
    public String toString() {
        int r = 0, t = 0;
        if (retrieval != null) {
            for (boolean[] row : retrieval) {
                for (boolean b : row) {
                    t++;
                    if (b) r++;
                }
            }
        }
        return String.format(Locale.ROOT, "%s (%d of %d heads retrieval)", spec, r, t);
    }
}
