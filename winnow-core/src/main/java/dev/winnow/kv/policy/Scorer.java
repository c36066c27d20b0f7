package dev.winnow.kv.policy;

import dev.winnow.kv.AttentionRecorder;
import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;

/** Importance of each entry of a head: higher is kept first. */
public interface Scorer {
    /** Fills {@code out[0 … store.size())} with the scores of the entries of one head. */
    void score(KvCache cache, int layer, int kvHead, HeadStore store, PolicyContext ctx, float[] out);

    /** The recorder the model should report attention to, or null when the scorer needs none. */
    default AttentionRecorder recorder() {
        return null;
    }

    /** Queries of the most recent tokens the scorer needs (SnapKV's observation window), 0 if none. */
    default int queryWindow() {
        return 0;
    }
}
