package dev.winnow.kv.sparse;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.KvSpecException;
import dev.winnow.kv.policy.Params;
import dev.winnow.kv.policy.PolicyContext;
import dev.winnow.kv.policy.PolicyInfo;
import dev.winnow.kv.policy.ProfileFile;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Double Sparsity (Yang et al. 2024): approximate every entry's score from a few "label" key
 * channels per head — the channels an offline calibration pass found to carry most of
 * {@code |q·k|} ({@link ChannelProfile}, saved next to the model) — and read the entries with the
 * highest approximate scores. The label values live in a small side cache ({@link LabelCache}),
 * so the approximation reads {@code channels} numbers per entry instead of the whole key.
 */
public final class DoubleSparsityAttention extends SparseAttention {
    public static final PolicyInfo INFO = new PolicyInfo("doublesparse",
            "approximate q·k from a few calibrated label channels per head; read the top entries",
            "Yang et al. 2024, Double Sparsity", params(
                    PolicyInfo.param("channels", "head size / 8 (at least 2)", "label channels per head"),
                    PolicyInfo.param("profile", "auto", "auto (<model>.winnow-channels) | off | PATH of the channel profile"),
                    PolicyInfo.param("probe", "128", "random tokens of the calibration pass (run twice)"),
                    PolicyInfo.param("seed", "7", "seed of the calibration tokens")), DoubleSparsityAttention::new);

    private final int channelsParam;
    private final String profileMode;
    private final int probe;
    private final long seed;
    private ChannelProfile profile;
    private Path profileFile;
    private LabelCache[][] labels;

    public DoubleSparsityAttention(Params p) {
        super(p);
        this.channelsParam = p.getInt("channels", 0, 1);
        this.profileMode = p.getString("profile", "auto");
        this.probe = p.getInt("probe", 128, 2);
        this.seed = p.getInt("seed", 7, 0);
    }

    /** Label channels for a head size. */
    int channels(int headSize) {
        int c = channelsParam > 0 ? channelsParam : Math.max(2, headSize / 8);
        if (c > headSize) throw new KvSpecException("doublesparse: channels=" + c + " exceeds the head size " + headSize);
        return c;
    }

    /** The profile in use (after attach). */
    public ChannelProfile profile() {
        return profile;
    }

    /** The profile file used, or null (profile=off, or no model file). */
    public Path profileFile() {
        return profileFile;
    }

    @Override
    protected void reset(KvCache cache, PolicyContext ctx) {
        int r = channels(ctx.headSize());
        if (profile == null || profile.layers() != ctx.layers() || profile.kvHeads() != ctx.kvHeads()) loadOrCalibrate(ctx);
        labels = new LabelCache[ctx.layers()][ctx.kvHeads()];
        for (int l = 0; l < ctx.layers(); l++) {
            for (int h = 0; h < ctx.kvHeads(); h++) labels[l][h] = new LabelCache(ctx.headSize(), profile.labels(l, h, r));
        }
    }

    private void loadOrCalibrate(PolicyContext ctx) {
        ProfileFile where = ProfileFile.resolve(profileMode, ctx.modelFile(), ChannelProfile.SUFFIX, spec);
        Path file = where.file();
        long size = where.modelSize(), mtime = where.modelMtime();
        profileFile = file;
        ChannelProfile loaded = file == null ? null : ChannelProfile.read(file);
        if (loaded != null) {
            if (loaded.layers() != ctx.layers() || loaded.kvHeads() != ctx.kvHeads() || loaded.headSize() != ctx.headSize()) {
                throw ChannelProfile.corrupt(file, 2, "it is for a model with " + loaded.layers() + " layers x " + loaded.kvHeads()
                        + " KV heads of size " + loaded.headSize() + ", this model has " + ctx.layers() + " x " + ctx.kvHeads()
                        + " of size " + ctx.headSize());
            }
            boolean fresh = loaded.seed() == seed && loaded.probe() == probe && where.matches(loaded.modelSize(), loaded.modelMtime());
            if (fresh) {
                profile = loaded;
                return;
            }
        }
        profile = ChannelProfile.measure(ctx, probe, seed, size, mtime);
        if (file != null) {
            try {
                profile.write(where.saveTarget());
                profileFile = where.saveTo();
            } catch (UncheckedIOException e) {
                if (!profileMode.equals("auto")) throw e; // next to a read-only model: keep it in memory
            }
        }
    }

    @Override
    protected void prepare(KvCache cache) {
        for (int l = 0; l < cache.layers(); l++) {
            for (int h = 0; h < cache.kvHeads(); h++) labels[l][h].update(cache.head(l, h));
        }
    }

    @Override
    protected void choose(int layer, float[] q, KvCache cache, Selection out) {
        int group = ctx.groupSize(), hs = cache.headSize();
        for (int kvh = 0; kvh < cache.kvHeads(); kvh++) {
            HeadStore store = cache.head(layer, kvh);
            if (fits(store)) {
                out.all(kvh);
                continue;
            }
            int n = store.size(), from = middleStart(), to = middleEnd(n);
            LabelCache lc = labels[layer][kvh];
            lc.update(store);
            float[] approx = scratch(to - from);
            Arrays.fill(approx, 0, to - from, 0f);
            for (int h = kvh * group; h < (kvh + 1) * group; h++) lc.addScores(q, h * hs, from, to, approx);
            keepTop(out, kvh, n, approx);
        }
    }

    /** Bytes of the label caches (not part of the KV cache's own bytes). */
    public long labelBytes() {
        long b = 0;
        if (labels != null) for (LabelCache[] row : labels) for (LabelCache lc : row) b += lc.bytes();
        return b;
    }
}
