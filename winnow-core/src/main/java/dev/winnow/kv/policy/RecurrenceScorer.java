package dev.winnow.kv.policy;

import dev.winnow.kv.AttentionRecorder;
import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;

/**
 * LazyEviction's recurrence score. An entry is "hit" by a query that gives it more than the
 * uniform share 1/n of its attention (mean over the group's query heads; the statistics of
 * {@link HeadStore#observe}). The recorder tracks each entry's maximum recurrence interval (MRI):
 * the longest gap, in steps, between two consecutive hits (kept in {@link HeadStore#extra}; 0
 * until the second hit).
 *
 * <p>Score = {@code −(step − lastHit) / max(MRI, 1)}: how far the entry is through its own
 * recurrence cycle. An entry hit 5 steps ago that recurs every 20 scores −0.25 and is kept; one
 * whose silence already exceeds its longest interval (score below −1) has stopped recurring and
 * goes first. Entries never hit twice have MRI 0 and are ranked by recency of their last hit (or
 * of their insertion), one step counting as one interval.
 */
public final class RecurrenceScorer implements Scorer {
    private final AttentionRecorder recorder = RecurrenceScorer::record;

    private static void record(int layer, int kvHead, HeadStore store, float[] probs, int n, int groupSize, int step) {
        float inv = 1f / groupSize;
        float uniform = 1f / n;
        for (int i = 0; i < n; i++) {
            if (probs[i] * inv > uniform && store.hits(i) > 0) {
                int gap = step - store.lastHitStep(i);
                if (gap > store.extra(i)) store.setExtra(i, gap);
            }
        }
        store.observe(probs, n, groupSize, step);
    }

    @Override
    public void score(KvCache cache, int layer, int kvHead, HeadStore store, PolicyContext ctx, float[] out) {
        int step = cache.step();
        for (int i = 0; i < store.size(); i++) {
            out[i] = -(step - store.lastHitStep(i)) / Math.max(1f, store.extra(i));
        }
    }

    @Override
    public AttentionRecorder recorder() {
        return recorder;
    }
}
