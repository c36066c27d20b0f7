package dev.winnow.model;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.tensor.Parallel;

/**
 * Attention of the rows of a tree draft (speculative decoding, {@link SequenceBatch#addDraft}):
 * row i sees every entry the cache held before the draft plus its own ancestors in the tree and
 * itself — not its siblings or their subtrees (the tree attention mask). Each row attends over the
 * list of its visible entries in order through {@link GroupedAttention}, whose chunks are fixed by
 * list positions: the list is exactly the entries a decoding step over the path alone would read,
 * so each row's output is that of decoding its path token by token.
 */
final class DraftAttention {
    private DraftAttention() {
    }

    /** Attention of the {@code n} draft rows (the newest entries of each store) into {@code s.att}. */
    static void attend(ModelConfig c, Parallel par, GroupedAttention grouped, int layer, KvCache cache, ForwardState s,
                       int n, int[] parents) {
        int hs = c.headSize(), group = c.groupSize(), qDim = c.qDim(), kvHeads = c.kvHeads();
        int[][] ancestors = new int[n][]; // per row, its visible draft rows in order
        for (int row = 0; row < n; row++) {
            int depth = 0;
            for (int r = row; r >= 0; r = parents[r]) depth++;
            int[] path = new int[depth];
            for (int r = row, j = depth - 1; r >= 0; r = parents[r]) path[j--] = r;
            ancestors[row] = path;
        }
        float[] q = s.q, att = s.att;
        int perTask = Math.max(1, cache.head(layer, 0).size()) * hs * group;
        par.forRange(n * kvHeads, Math.max(1, (1 << 14) / perTask), (from, to) -> {
            int[] list = new int[64];
            for (int task = from; task < to; task++) {
                int row = task / kvHeads, kvh = task % kvHeads;
                HeadStore store = cache.head(layer, kvh);
                int base = store.size() - n; // entries before the draft
                int[] path = ancestors[row];
                int count = base + path.length;
                if (list.length < count) list = new int[count * 2];
                for (int j = 0; j < base; j++) list[j] = j;
                for (int j = 0; j < path.length; j++) list[base + j] = base + path[j];
                int off = row * qDim + kvh * group * hs;
                grouped.attend(store, q, off, list, count, att, off, null);
            }
        });
    }
}
