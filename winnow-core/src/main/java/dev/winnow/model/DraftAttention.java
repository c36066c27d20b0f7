package dev.winnow.model;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.tensor.Parallel;
import dev.winnow.tensor.Softmax;
import java.util.Arrays;

/**
 * Attention of the rows of a tree draft (speculative decoding, {@link SequenceBatch#addDraft}):
 * row i sees every entry the cache held before the draft plus its own ancestors in the tree and
 * itself — not its siblings or their subtrees (the tree attention mask). The visible scores are
 * packed in order before the softmax, so its sum runs over the same values in the same order as a
 * decoding step over the path alone would, and the values are accumulated with zero weight for
 * the hidden entries (an exact no-op in the fused multiply-adds): each row's output is that of
 * decoding its path token by token.
 */
final class DraftAttention {
    private DraftAttention() {
    }

    /** Attention of the {@code n} draft rows (the newest entries of each store) into {@code s.att}. */
    static void attend(ModelConfig c, Parallel par, int layer, KvCache cache, ForwardState s, int n, int[] parents) {
        int heads = c.heads(), hs = c.headSize(), group = c.groupSize(), qDim = c.qDim();
        float scale = (float) (1.0 / Math.sqrt(hs));
        boolean[][] visible = new boolean[n][];
        int[] path = new int[n];
        for (int row = 0; row < n; row++) {
            visible[row] = new boolean[row + 1];
            for (int r = row; r >= 0; r = parents[r]) {
                visible[row][r] = true;
                path[row]++;
            }
        }
        float[] q = s.q, att = s.att;
        int perTask = Math.max(1, cache.head(layer, 0).size()) * hs;
        par.forRange(n * heads, Math.max(1, (1 << 14) / perTask), (from, to) -> {
            float[] scores = new float[64], packed = new float[64];
            for (int task = from; task < to; task++) {
                int row = task / heads, h = task % heads;
                HeadStore store = cache.head(layer, h / group);
                int visibleEnd = store.size() - (n - 1 - row); // entries up to this row
                int base = visibleEnd - (row + 1);
                if (scores.length < visibleEnd) {
                    scores = new float[visibleEnd * 2];
                    packed = new float[visibleEnd * 2];
                }
                int qOff = row * qDim + h * hs;
                store.scores(q, qOff, visibleEnd, scale, scores);
                boolean[] vis = visible[row];
                System.arraycopy(scores, 0, packed, 0, base);
                int j = base;
                for (int r = 0; r <= row; r++) if (vis[r]) packed[j++] = scores[base + r];
                Softmax.inPlace(packed, base + path[row]);
                System.arraycopy(packed, 0, scores, 0, base);
                j = base;
                for (int r = 0; r <= row; r++) scores[base + r] = vis[r] ? packed[j++] : 0f;
                Arrays.fill(att, qOff, qOff + hs, 0f);
                store.accumulateValues(scores, visibleEnd, att, qOff);
            }
        });
    }
}
