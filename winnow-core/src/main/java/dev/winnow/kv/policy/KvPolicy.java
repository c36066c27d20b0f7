package dev.winnow.kv.policy;

import dev.winnow.kv.KvCache;

/**
 * What a session does to its KV cache between forward passes. One instance serves one session
 * (policies may keep state); {@link KvSpec#newPolicy()} makes a fresh one.
 *
 * <p>The session calls, in order: {@link #attach} once (and after a reset), then for each prompt
 * {@link #afterPrefillChunk} between its chunks and {@link #afterPrefill} after its last chunk,
 * and {@link #afterDecode} after every generated token has been run.
 */
public interface KvPolicy {
    /** The canonical spec string of this policy, e.g. {@code snapkv:budget=256,window=32}. */
    String spec();

    /** Sets the cache up (e.g. asks it to record attention or keep queries). */
    default void attach(KvCache cache, PolicyContext ctx) {
    }

    /** After a chunk of a prompt when more chunks follow. */
    default void afterPrefillChunk(KvCache cache, PolicyContext ctx) {
    }

    /** After the last chunk of a prompt. */
    default void afterPrefill(KvCache cache, PolicyContext ctx) {
    }

    /** After a generated token was run through the model. */
    default void afterDecode(KvCache cache, PolicyContext ctx) {
    }

    /**
     * The position the token with this absolute index (the {@code indexInBatch}-th of the
     * batch about to run) is rotated to. The default is the index itself; StreamingLLM assigns
     * positions inside the cache instead.
     */
    default int positionFor(KvCache cache, int absoluteIndex, int indexInBatch) {
        return absoluteIndex;
    }

    /**
     * True when positions stay inside a bounded window whatever the length of the text, so the
     * session may run past the model's trained context (StreamingLLM).
     */
    default boolean unboundedContext() {
        return false;
    }

    /**
     * True when the cache ends up holding one entry per token (nothing is evicted), so a session
     * that knows how many tokens will come can size the stores once instead of growing them.
     */
    default boolean keepsEveryEntry() {
        return false;
    }
}
