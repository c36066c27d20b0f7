package dev.winnow.kv.policy;

import dev.winnow.kv.AttentionRecorder;
import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;

/**
 * Scissorhands' score (persistence of importance). Its recorder counts, for every entry, the
 * queries inside the history window that found it <em>unimportant</em> — attention (mean over
 * the group's query heads) at most the uniform share 1/n of the n entries the query saw — and
 * the entries with the largest count are evicted first; the score is minus that count.
 *
 * <p>The window of the last {@code history} queries is approximated by an exponential decay:
 * each query multiplies the count by {@code 1 − 1/history} before adding its 0 or 1, so a
 * count weighs about the last {@code history} queries and saturates at {@code history}. The count
 * lives in {@link HeadStore#extra}. Counting the low-attention occurrences (rather than the
 * high ones) is the paper's rule: an entry too young to have been judged often is not penalised.
 */
public final class PersistenceScorer implements Scorer {
    private final float decay;
    private final AttentionRecorder recorder;

    public PersistenceScorer(int history) {
        this.decay = 1f - 1f / history;
        this.recorder = this::record;
    }

    private void record(int layer, int kvHead, HeadStore store, float[] probs, int n, int groupSize, int step) {
        float inv = 1f / groupSize;
        float uniform = 1f / n;
        for (int i = 0; i < n; i++) {
            float unimportant = probs[i] * inv > uniform ? 0f : 1f;
            store.setExtra(i, store.extra(i) * decay + unimportant);
        }
    }

    @Override
    public void score(KvCache cache, int layer, int kvHead, HeadStore store, PolicyContext ctx, float[] out) {
        for (int i = 0; i < store.size(); i++) out[i] = -store.extra(i);
    }

    @Override
    public AttentionRecorder recorder() {
        return recorder;
    }
}
