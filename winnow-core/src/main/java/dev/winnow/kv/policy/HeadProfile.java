package dev.winnow.kv.policy;

import dev.winnow.kv.AttentionRecorder;
import dev.winnow.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Training-free retrieval-head scores (RazorAttention's rule), per layer and KV head, measured
 * by one profiling pass over a synthetic sequence: BOS (when the vocabulary has one), then
 * {@code probe} distinct random non-control tokens (fixed {@code seed}), then the same tokens
 * again. For every query of the second copy — token {@code t} whose first occurrence is at index
 * {@code i} — the head's attention (mean over the query heads of its group) on entry {@code i+1}
 * (what followed {@code t} last time) is its <em>induction</em> score and on entry {@code i}
 * (the occurrence itself) its <em>echo</em> score; both are averaged over the second copy. A
 * head's score is the larger of the two: heads that retrieve from far back by content.
 *
 * <p>Saved as a small text file ({@link #write}, {@link #read}): a header naming the model
 * file's size and modification time (to detect a stale profile), the probe length, seed and
 * shape, then one line per head: {@code layer kv-head induction echo class}. The class column
 * records the classification with the writer's rule; readers recompute classes from the scores.
 */
public final class HeadProfile {
    static final String MAGIC = "winnow-head-profile 1";
    static final String RETRIEVAL = "retrieval";
    static final String STREAMING = "streaming";

    private final int layers;
    private final int kvHeads;
    private final float[][] induction;
    private final float[][] echo;
    private final int probe;
    private final long seed;
    private final long modelSize;
    private final long modelMtime;

    HeadProfile(float[][] induction, float[][] echo, int probe, long seed, long modelSize, long modelMtime) {
        this.layers = induction.length;
        this.kvHeads = layers == 0 ? 0 : induction[0].length;
        this.induction = induction;
        this.echo = echo;
        this.probe = probe;
        this.seed = seed;
        this.modelSize = modelSize;
        this.modelMtime = modelMtime;
    }

    public int layers() {
        return layers;
    }

    public int kvHeads() {
        return kvHeads;
    }

    public float induction(int layer, int kvHead) {
        return induction[layer][kvHead];
    }

    public float echo(int layer, int kvHead) {
        return echo[layer][kvHead];
    }

    /** The head's retrieval score: max(induction, echo). */
    public float score(int layer, int kvHead) {
        return Math.max(induction[layer][kvHead], echo[layer][kvHead]);
    }

    public int probe() {
        return probe;
    }

    public long seed() {
        return seed;
    }

    public long modelSize() {
        return modelSize;
    }

    public long modelMtime() {
        return modelMtime;
    }

    /**
     * Retrieval heads: the {@code round(fraction × heads)} best-scoring heads over all layers
     * (ties: the earlier layer, then the lower head), or, when {@code threshold >= 0}, the heads
     * scoring at least {@code threshold}.
     */
    public boolean[][] classify(double fraction, double threshold) {
        boolean[][] out = new boolean[layers][kvHeads];
        if (threshold >= 0) {
            for (int l = 0; l < layers; l++) for (int h = 0; h < kvHeads; h++) out[l][h] = score(l, h) >= threshold;
            return out;
        }
        int total = layers * kvHeads;
        int k = (int) Math.min(total, Math.round(fraction * total));
        Integer[] order = new Integer[total];
        for (int i = 0; i < total; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> {
            int c = Float.compare(score(b / kvHeads, b % kvHeads), score(a / kvHeads, a % kvHeads));
            return c != 0 ? c : Integer.compare(a, b);
        });
        for (int i = 0; i < k; i++) out[order[i] / kvHeads][order[i] % kvHeads] = true;
        return out;
    }

    /** The synthetic sequence: BOS (if any), then {@code probe} distinct random tokens twice. */
    public static int[] probeTokens(Tokenizer tok, int probe, long seed) {
        List<Integer> pool = new ArrayList<>();
        for (int id = 0; id < tok.vocabSize(); id++) if (!tok.isControl(id)) pool.add(id);
        java.util.Collections.shuffle(pool, new Random(seed));
        int p = Math.min(probe, pool.size());
        int offset = tok.bosId() >= 0 ? 1 : 0;
        int[] t = new int[offset + 2 * p];
        if (offset == 1) t[0] = tok.bosId();
        for (int j = 0; j < p; j++) {
            t[offset + j] = pool.get(j);
            t[offset + p + j] = pool.get(j);
        }
        return t;
    }

    /** Runs the profiling pass through {@code ctx.profiler()}. */
    static HeadProfile measure(PolicyContext ctx, int probe, long seed, long modelSize, long modelMtime) {
        if (ctx.profiler() == null) throw new IllegalStateException("head profiling needs a profiler (run inside a session)");
        if (ctx.tokenizer() == null) throw new IllegalStateException("head profiling needs the model's tokenizer");
        int[] tokens = probeTokens(ctx.tokenizer(), probe, seed);
        int offset = ctx.tokenizer().bosId() >= 0 ? 1 : 0;
        int p = (tokens.length - offset) / 2;
        if (p < 2) throw new IllegalStateException("head profiling needs at least 2 distinct non-control tokens");
        int layers = ctx.layers(), kvHeads = ctx.kvHeads();
        double[][] ind = new double[layers][kvHeads];
        double[][] ech = new double[layers][kvHeads];
        int[][] count = new int[layers][kvHeads];
        AttentionRecorder recorder = (layer, kvHead, store, probs, n, groupSize, step) -> {
            int query = n - 1; // the scratch cache evicts nothing: entry i is token i
            int j = query - offset - p;
            if (j < 0 || j >= p) return;
            float inv = 1f / groupSize;
            ech[layer][kvHead] += probs[offset + j] * inv;
            ind[layer][kvHead] += probs[offset + j + 1] * inv;
            count[layer][kvHead]++;
        };
        ctx.profiler().run(tokens, recorder);
        float[][] induction = new float[layers][kvHeads];
        float[][] echo = new float[layers][kvHeads];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < kvHeads; h++) {
                if (count[l][h] != p) {
                    throw new IllegalStateException("head profiling: layer " + l + " head " + h + " saw " + count[l][h]
                            + " second-copy queries, expected " + p);
                }
                induction[l][h] = (float) (ind[l][h] / p);
                echo[l][h] = (float) (ech[l][h] / p);
            }
        }
        return new HeadProfile(induction, echo, probe, seed, modelSize, modelMtime);
    }

    /** Writes the profile (atomically: a temporary file, then a move), classes by {@code classes}. */
    void write(Path file, boolean[][] classes, String rule) {
        StringBuilder sb = new StringBuilder();
        sb.append(MAGIC).append('\n');
        sb.append("model-size ").append(modelSize).append('\n');
        sb.append("model-mtime ").append(modelMtime).append('\n');
        sb.append("probe ").append(probe).append('\n');
        sb.append("seed ").append(seed).append('\n');
        sb.append("layers ").append(layers).append('\n');
        sb.append("kv-heads ").append(kvHeads).append('\n');
        sb.append("# layer kv-head induction echo class (classes by ").append(rule).append(")\n");
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < kvHeads; h++) {
                sb.append(l).append(' ').append(h).append(' ').append(Float.toString(induction[l][h])).append(' ')
                        .append(Float.toString(echo[l][h])).append(' ').append(classes[l][h] ? RETRIEVAL : STREAMING)
                        .append('\n');
            }
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UncheckedIOException(new java.nio.file.FileSystemException(file.toString(), null,
                    "cannot write head profile: directory " + dir + " does not exist"));
        }
        try {
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try {
                Files.writeString(tmp, sb, StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            // name the path given, not the temporary file the error may be about
            throw new UncheckedIOException(new java.nio.file.FileSystemException(file.toString(), null,
                    "cannot write head profile: " + e.getClass().getSimpleName() + " " + e.getMessage()));
        }
    }

    /**
     * Reads a profile file, or returns null when it does not exist.
     *
     * @throws IllegalStateException naming the file, the line and what is wrong, when it is corrupt
     */
    static HeadProfile read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw corrupt(file, 0, "not UTF-8 text");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read head profile " + file + ": " + e.getMessage(), e);
        }
        Reader r = new Reader(file, lines);
        String magic = r.next();
        if (magic == null || !magic.equals(MAGIC)) {
            throw corrupt(file, r.line, "expected the header '" + MAGIC + "', got "
                    + (magic == null ? "an empty file" : "'" + abbreviate(magic) + "'"));
        }
        long size = r.header("model-size", 0);
        long mtime = r.header("model-mtime", Long.MIN_VALUE);
        int probe = (int) r.header("probe", 1);
        long seed = r.header("seed", Long.MIN_VALUE);
        int layers = (int) r.header("layers", 1);
        int kvHeads = (int) r.header("kv-heads", 1);
        if ((long) layers * kvHeads > 1_000_000) throw corrupt(file, r.line, "implausible shape " + layers + " x " + kvHeads);
        float[][] induction = new float[layers][kvHeads];
        float[][] echo = new float[layers][kvHeads];
        boolean[][] seen = new boolean[layers][kvHeads];
        for (int i = 0; i < layers * kvHeads; i++) {
            String line = r.next();
            if (line == null) {
                throw corrupt(file, r.line, "ends after " + i + " of " + layers * kvHeads + " head lines");
            }
            String[] f = line.trim().split("\\s+");
            if (f.length != 5) {
                throw corrupt(file, r.line, "expected 'layer kv-head induction echo class', got '" + abbreviate(line) + "'");
            }
            int l = r.integer(f[0], "layer", layers);
            int h = r.integer(f[1], "kv-head", kvHeads);
            if (seen[l][h]) throw corrupt(file, r.line, "layer " + l + " kv-head " + h + " given twice");
            seen[l][h] = true;
            induction[l][h] = r.score(f[2], "induction");
            echo[l][h] = r.score(f[3], "echo");
            if (!f[4].equals(RETRIEVAL) && !f[4].equals(STREAMING)) {
                throw corrupt(file, r.line, "class '" + abbreviate(f[4]) + "' is neither " + RETRIEVAL + " nor " + STREAMING);
            }
        }
        String extra = r.next();
        if (extra != null) throw corrupt(file, r.line, "unexpected line after the " + layers * kvHeads + " heads: '"
                + abbreviate(extra) + "'");
        return new HeadProfile(induction, echo, probe, seed, size, mtime);
    }

    static IllegalStateException corrupt(Path file, int line, String what) {
        return new CorruptProfileException("corrupt head profile " + file + (line > 0 ? ": line " + line : "") + ": " + what
                + " (delete the file to profile again)");
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    /** Reads lines, skipping blank lines and {@code #} comments, tracking the line number. */
    private static final class Reader {
        final Path file;
        final List<String> lines;
        int line;

        Reader(Path file, List<String> lines) {
            this.file = file;
            this.lines = lines;
        }

        String next() {
            while (line < lines.size()) {
                String s = lines.get(line++).strip();
                if (!s.isEmpty() && !s.startsWith("#")) return s;
            }
            line = lines.size() + 1;
            return null;
        }

        long header(String key, long min) {
            String s = next();
            String[] f = s == null ? new String[0] : s.split("\\s+");
            if (f.length != 2 || !f[0].equals(key)) {
                throw corrupt(file, line, "expected '" + key + " <number>', got "
                        + (s == null ? "the end of the file" : "'" + abbreviate(s) + "'"));
            }
            long v;
            try {
                v = Long.parseLong(f[1]);
            } catch (NumberFormatException e) {
                throw corrupt(file, line, key + " '" + abbreviate(f[1]) + "' is not a whole number");
            }
            if (v < min || (min >= 0 && v > Integer.MAX_VALUE && !key.equals("model-size"))) {
                throw corrupt(file, line, key + " " + v + " is out of range");
            }
            return v;
        }

        int integer(String s, String what, int bound) {
            int v;
            try {
                v = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw corrupt(file, line, what + " '" + abbreviate(s) + "' is not a whole number");
            }
            if (v < 0 || v >= bound) throw corrupt(file, line, what + " " + v + " is outside 0.." + (bound - 1));
            return v;
        }

        float score(String s, String what) {
            float v;
            try {
                v = Float.parseFloat(s);
            } catch (NumberFormatException e) {
                throw corrupt(file, line, what + " score '" + abbreviate(s) + "' is not a number");
            }
            if (!(v >= 0 && v <= 1.0001f)) throw corrupt(file, line, what + " score " + s + " is not in [0, 1]");
            return v;
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int l = 0; l < layers; l++) {
            sb.append(String.format(Locale.ROOT, "layer %d:", l));
            for (int h = 0; h < kvHeads; h++) sb.append(String.format(Locale.ROOT, " %.3f/%.3f", induction[l][h], echo[l][h]));
            sb.append('\n');
        }
        return sb.toString();
    }
}
