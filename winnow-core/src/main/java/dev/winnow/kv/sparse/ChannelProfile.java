package dev.winnow.kv.sparse;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.QueryWindow;
import dev.winnow.kv.policy.HeadProfile;
import dev.winnow.kv.policy.KvSpecException;
import dev.winnow.kv.policy.PolicyContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Double Sparsity's offline calibration: for every layer and KV head, the key channels ranked by
 * how much they contribute to attention logits, {@code Σ_t Σ_i |q_{t,c} · k_{i,c}|} over a
 * calibration pass (queries of the heads sharing the store, keys of the store). The top channels
 * are the "label" channels whose partial dot product approximates {@code q·k}.
 *
 * <p>Saved as text next to the model ({@code <model>.winnow-channels}):
 * <pre>
 * winnow-channels 1
 * layers 30 kv_heads 3 head_size 64 probe 128 seed 7 model_size 123 model_mtime 456
 * 0 0 12 5 63 …      (layer, KV head, then every channel, most important first)
 * </pre>
 */
public record ChannelProfile(int layers, int kvHeads, int headSize, int probe, long seed, long modelSize, long modelMtime,
                             int[][][] ranked) {
    static final String MAGIC = "winnow-channels 1";
    public static final String SUFFIX = ".winnow-channels";

    /** The {@code count} most important channels of one head. */
    public int[] labels(int layer, int kvHead, int count) {
        return java.util.Arrays.copyOf(ranked[layer][kvHead], Math.min(count, headSize));
    }

    /** Runs the calibration pass through the session's profiler: {@code probe} random tokens, repeated once. */
    static ChannelProfile measure(PolicyContext ctx, int probe, long seed, long modelSize, long modelMtime) {
        if (ctx.profiler() == null) throw new IllegalStateException("channel calibration needs a profiler (run inside a session)");
        if (ctx.tokenizer() == null) throw new IllegalStateException("channel calibration needs the model's tokenizer");
        int[] tokens = HeadProfile.probeTokens(ctx.tokenizer(), probe, seed);
        int layers = ctx.layers(), kvHeads = ctx.kvHeads(), hs = ctx.headSize(), group = ctx.groupSize();
        int[][][] ranked = new int[layers][kvHeads][];
        ctx.profiler().run(tokens, cache -> cache.keepQueries(ctx.heads(), tokens.length), cache -> {
            QueryWindow w = cache.queries();
            float[] key = new float[hs];
            for (int l = 0; l < layers; l++) {
                for (int kvh = 0; kvh < kvHeads; kvh++) {
                    double[] qAbs = new double[hs], kAbs = new double[hs];
                    for (int j = 0; j < w.count(l); j++) {
                        for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                            int off = w.offset(l, j, h);
                            for (int c = 0; c < hs; c++) qAbs[c] += Math.abs(w.data(l)[off + c]);
                        }
                    }
                    HeadStore store = cache.head(l, kvh);
                    for (int i = 0; i < store.size(); i++) {
                        store.key(i, key, 0);
                        for (int c = 0; c < hs; c++) kAbs[c] += Math.abs(key[c]);
                    }
                    double[] importance = new double[hs];
                    for (int c = 0; c < hs; c++) importance[c] = qAbs[c] * kAbs[c];
                    ranked[l][kvh] = rank(importance);
                }
            }
        });
        return new ChannelProfile(layers, kvHeads, hs, probe, seed, modelSize, modelMtime, ranked);
    }

    /** Channel numbers by descending importance (ties: lower channel first). */
    static int[] rank(double[] importance) {
        Integer[] order = new Integer[importance.length];
        for (int c = 0; c < order.length; c++) order[c] = c;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(importance[b], importance[a]));
        int[] out = new int[order.length];
        for (int c = 0; c < out.length; c++) out[c] = order[c];
        return out;
    }

    void write(Path file) {
        StringBuilder sb = new StringBuilder(MAGIC).append('\n');
        sb.append("layers ").append(layers).append(" kv_heads ").append(kvHeads).append(" head_size ").append(headSize)
                .append(" probe ").append(probe).append(" seed ").append(seed).append(" model_size ").append(modelSize)
                .append(" model_mtime ").append(modelMtime).append('\n');
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < kvHeads; h++) {
                sb.append(l).append(' ').append(h);
                for (int c : ranked[l][h]) sb.append(' ').append(c);
                sb.append('\n');
            }
        }
        try {
            Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the channel profile " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a profile, or returns null when the file does not exist; a malformed file is an error naming the line. */
    static ChannelProfile read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the channel profile " + file + ": " + e.getMessage(), e);
        }
        if (lines.isEmpty() || !lines.get(0).equals(MAGIC)) throw corrupt(file, 1, "the first line should be '" + MAGIC + "'");
        if (lines.size() < 2) throw corrupt(file, 2, "the header line is missing");
        String[] h = lines.get(1).trim().split("\\s+");
        String[] names = {"layers", "kv_heads", "head_size", "probe", "seed", "model_size", "model_mtime"};
        if (h.length != 2 * names.length) throw corrupt(file, 2, "expected " + String.join(" N ", names) + " N");
        long[] v = new long[names.length];
        for (int i = 0; i < names.length; i++) {
            if (!h[2 * i].equals(names[i])) throw corrupt(file, 2, "expected '" + names[i] + "', found '" + h[2 * i] + "'");
            try {
                v[i] = Long.parseLong(h[2 * i + 1]);
            } catch (NumberFormatException e) {
                throw corrupt(file, 2, names[i] + " '" + h[2 * i + 1] + "' is not a number");
            }
        }
        int layers = (int) v[0], kvHeads = (int) v[1], hs = (int) v[2];
        if (layers < 1 || kvHeads < 1 || hs < 1) throw corrupt(file, 2, "layers, kv_heads and head_size must be >= 1");
        int[][][] ranked = new int[layers][kvHeads][];
        List<String> body = new ArrayList<>(lines.subList(2, lines.size()));
        body.removeIf(String::isBlank);
        if (body.size() != layers * kvHeads) {
            throw corrupt(file, 3, "expected " + layers * kvHeads + " head lines (layers x kv_heads), found " + body.size());
        }
        for (int k = 0; k < body.size(); k++) {
            String[] f = body.get(k).trim().split("\\s+");
            int line = k + 3;
            if (f.length != 2 + hs) throw corrupt(file, line, "expected layer, KV head and " + hs + " channels");
            try {
                int l = Integer.parseInt(f[0]), kvh = Integer.parseInt(f[1]);
                if (l < 0 || l >= layers || kvh < 0 || kvh >= kvHeads || ranked[l][kvh] != null) {
                    throw corrupt(file, line, "layer " + l + " KV head " + kvh + " is out of range or repeated");
                }
                int[] r = new int[hs];
                boolean[] seen = new boolean[hs];
                for (int c = 0; c < hs; c++) {
                    r[c] = Integer.parseInt(f[2 + c]);
                    if (r[c] < 0 || r[c] >= hs || seen[r[c]]) throw corrupt(file, line, "channel " + r[c] + " is out of range or repeated");
                    seen[r[c]] = true;
                }
                ranked[l][kvh] = r;
            } catch (NumberFormatException e) {
                throw corrupt(file, line, "'" + body.get(k).trim() + "' should be numbers");
            }
        }
        return new ChannelProfile(layers, kvHeads, hs, (int) v[3], v[4], v[5], v[6], ranked);
    }

    static KvSpecException corrupt(Path file, int line, String what) {
        return new KvSpecException("channel profile " + file + " line " + line + ": " + what
                + " (delete the file to calibrate again)");
    }
}
