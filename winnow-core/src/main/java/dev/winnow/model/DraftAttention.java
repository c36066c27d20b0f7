package dev.winnow.model;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.tensor.Parallel;
import dev.winnow.tensor.Softmax;
import java.util.Arrays;

/**
 * Attention of one row of a tree draft (speculative decoding, {@link SequenceBatch#addDraft}):
 * the row sees every entry the cache held before the draft plus its own ancestors in the tree
 * and itself — not its siblings or their subtrees, which were appended before it in the same
 * pass. The visible scores are packed in order before the softmax, so its sum runs over the same
 * values in the same order as a decoding step over the path alone would, and the values are
 * accumulated with zero weight for the hidden entries (an exact no-op in the fused
 * multiply-adds): the row's output is that of decoding the path token by token.
 */
final class DraftAttention {
    private DraftAttention() {
    }

    /** Attention of draft row {@code row} (its entries are the newest of each store) into {@code s.att}. */
    static void attend(ModelConfig c, Parallel par, int layer, KvCache cache, ForwardState s, int row, int[] parents) {
        int heads = c.heads(), hs = c.headSize(), group = c.groupSize(), kvHeads = c.kvHeads();
        float scale = (float) (1.0 / Math.sqrt(hs));
        boolean[] visible = new boolean[row + 1];
        int depth = 0;
        for (int r = row; r >= 0; r = parents[r]) {
            visible[r] = true;
            depth++;
        }
        int path = depth;
        long held = 0;
        for (int h = 0; h < kvHeads; h++) held += cache.head(layer, h).size();
        cache.countReads(kvHeads, held, held);
        float[] q = s.q, att = s.att;
        par.forRange(heads, 1, (from, to) -> {
            for (int h = from; h < to; h++) {
                HeadStore store = cache.head(layer, h / group);
                int size = store.size(), base = size - (row + 1);
                float[] scores = new float[size];
                int qOff = h * hs;
                store.scores(q, qOff, size, scale, scores);
                float[] packed = Arrays.copyOf(scores, base + path);
                int j = base;
                for (int r = 0; r <= row; r++) if (visible[r]) packed[j++] = scores[base + r];
                Softmax.inPlace(packed, base + path);
                System.arraycopy(packed, 0, scores, 0, base);
                j = base;
                for (int r = 0; r <= row; r++) scores[base + r] = visible[r] ? packed[j++] : 0f;
                Arrays.fill(att, qOff, qOff + hs, 0f);
                store.accumulateValues(scores, size, att, qOff);
            }
        });
    }
}
