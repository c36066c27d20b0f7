package dev.winnow.kv.policy;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import java.util.Arrays;
import java.util.List;

/**
 * {@code chunkkv}: ChunkKV (Liu et al., 2025). Entries are scored as by SnapKV (observation-window
 * attention; by default without pooling, as KVCache-Factory's ChunkKV) and grouped into chunks
 * of {@code chunk} consecutive token positions ({@code position / chunk}); a chunk's score is the
 * sum of its entries' scores. Each head keeps its last {@code window} entries, then whole
 * chunks in order of score while they fit; the first chunk that does not fit whole is cut to its
 * best entries so the head ends at exactly the budget. Chunks are by position, so a chunk kept
 * whole stays whole across later compressions.
 *
 * <p>Layer-wise index reuse ({@code reuse=N}, ChunkKV's §4): layers are taken in groups of N;
 * the first layer of a group selects, and the others keep, head by head, the entries at the
 * same positions (no scoring). It applies when a head holds the same positions as its
 * counterpart in the group's first layer held before compression (true for this policy, which
 * treats every layer alike); otherwise that head selects for itself. Default 1: off.
 */
public final class ChunkKvPolicy extends BudgetedPolicy {
    public static final PolicyInfo INFO = new PolicyInfo("chunkkv",
            "SnapKV scores summed per chunk of consecutive tokens; keep whole chunks (+ the window)",
            "Liu et al. 2025, ChunkKV",
            List.of(PolicyInfo.param("budget", "256", "entries kept per KV head (including the window)"),
                    PolicyInfo.param("ratio", "-", "instead of budget: fraction of entries removed"),
                    PolicyInfo.param("chunk", "10", "tokens per chunk"),
                    PolicyInfo.param("window", "32", "observation window: last queries that score, kept themselves"),
                    PolicyInfo.param("kernel", "1", "pooling width of the token scores (1: none)"),
                    PolicyInfo.param("pool", "max", "max | avg"),
                    PolicyInfo.param("reuse", "1", "layer-wise index reuse: layers per group sharing one selection (1: off)"),
                    PolicyInfo.param("slack", "window", ObservationWindow.SLACK_HELP),
                    PolicyInfo.param("trigger", "prefill", ObservationWindow.TRIGGER_HELP)),
            ChunkKvPolicy::create);

    private final SnapKvScorer scorer;
    private final int chunk;
    private final int window;
    private final int reuse;

    ChunkKvPolicy(String spec, SnapKvScorer scorer, Budget budget, int chunk, int window, int reuse,
                  Trigger trigger) {
        super(spec, budget, trigger);
        this.scorer = scorer;
        this.chunk = chunk;
        this.window = window;
        this.reuse = reuse;
    }

    static KvPolicy create(Params p) {
        Budget b = Budget.from(p, 256);
        int chunk = p.getInt("chunk", 10, 1);
        int window = ObservationWindow.read(p, b);
        int kernel = p.getInt("kernel", 1, 1);
        boolean max = p.getString("pool", "max", "max", "avg").equals("max");
        int reuse = p.getInt("reuse", 1, 1);
        return (new ChunkKvPolicy(p.spec(), new SnapKvScorer(window, kernel, max), b, chunk, window, reuse,
                Trigger.read(p, Trigger.PREFILL))).withSlack(ObservationWindow.slack(window));
    }

    @Override
    public void attach(KvCache cache, PolicyContext ctx) {
        cache.recordAttention(null);
        cache.keepQueries(ctx.heads(), scorer.queryWindow());
        super.attach(cache, ctx);
    }

    @Override
    public void compress(KvCache cache, PolicyContext ctx) {
        int b = budgetFor(cache);
        int heads = cache.kvHeads();
        // Per head, the positions held before and kept after compressing the group's first layer.
        int[][] refBefore = new int[heads][];
        int[][] refKept = new int[heads][];
        for (int l = 0; l < cache.layers(); l++) {
            boolean first = l % reuse == 0;
            for (int h = 0; h < heads; h++) {
                HeadStore s = cache.head(l, h);
                int n = s.size();
                int[] before = first ? positions(s) : null;
                int[] keep = null;
                if (!first && refBefore[h] != null && Arrays.equals(positions(s), refBefore[h])) {
                    keep = reused(s, refKept[h]);
                } else if (n > b) {
                    float[] scores = new float[n];
                    scorer.score(cache, l, h, s, ctx, scores);
                    keep = select(s, scores, n, b);
                }
                if (keep != null && keep.length < n) s.retain(keep);
                if (first) {
                    refBefore[h] = before;
                    refKept[h] = positions(s);
                }
            }
        }
    }

    private static int[] positions(HeadStore s) {
        int[] p = new int[s.size()];
        for (int i = 0; i < p.length; i++) p[i] = s.position(i);
        return p;
    }

    /** Indices of the entries whose positions are in {@code keptPositions} (both ascending). */
    private static int[] reused(HeadStore s, int[] keptPositions) {
        int[] out = new int[keptPositions.length];
        int k = 0;
        for (int i = 0, j = 0; i < s.size() && j < keptPositions.length; i++) {
            int p = s.position(i);
            while (j < keptPositions.length && keptPositions[j] < p) j++;
            if (j < keptPositions.length && keptPositions[j] == p) {
                out[k++] = i;
                j++;
            }
        }
        return Arrays.copyOf(out, k);
    }

    /** The indices to keep (ascending): the window, then whole chunks by score, the last one cut. */
    int[] select(HeadStore store, float[] scores, int n, int b) {
        int w = Math.min(window, b);
        int candidates = n - w;
        boolean[] keep = new boolean[n];
        for (int i = candidates; i < n; i++) keep[i] = true;
        int free = b - w;
        // Chunks: runs of candidates with the same position / chunk.
        int[] start = new int[candidates + 1];
        int chunks = 0;
        for (int i = 0; i < candidates; i++) {
            if (i == 0 || Math.floorDiv(store.position(i), chunk) != Math.floorDiv(store.position(i - 1), chunk)) {
                start[chunks++] = i;
            }
        }
        start[chunks] = candidates;
        double[] chunkScore = new double[chunks];
        Integer[] order = new Integer[chunks];
        for (int c = 0; c < chunks; c++) {
            order[c] = c;
            for (int i = start[c]; i < start[c + 1]; i++) chunkScore[c] += scores[i];
        }
        Arrays.sort(order, (x, y) -> {
            int cmp = Double.compare(chunkScore[y], chunkScore[x]);
            return cmp != 0 ? cmp : Integer.compare(y, x); // ties: the newer chunk
        });
        for (int r = 0; r < chunks && free > 0; r++) {
            int c = order[r];
            int len = start[c + 1] - start[c];
            if (len <= free) {
                for (int i = start[c]; i < start[c + 1]; i++) keep[i] = true;
                free -= len;
            } else {
                Integer[] inChunk = new Integer[len];
                for (int i = 0; i < len; i++) inChunk[i] = start[c] + i;
                Arrays.sort(inChunk, (x, y) -> {
                    int cmp = Float.compare(scores[y], scores[x]);
                    return cmp != 0 ? cmp : Integer.compare(y, x);
                });
                for (int i = 0; i < free; i++) keep[inChunk[i]] = true;
                free = 0;
            }
        }
        int[] out = new int[b - free];
        int k = 0;
        for (int i = 0; i < n; i++) if (keep[i]) out[k++] = i;
        return out;
    }
}
