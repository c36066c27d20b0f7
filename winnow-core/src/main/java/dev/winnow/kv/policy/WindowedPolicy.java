package dev.winnow.kv.policy;

import dev.winnow.kv.KvCache;

/**
 * A policy that trims the cache to its shape after every forward pass — prompt chunk, end of
 * prompt, generated token — with no scoring between (StreamingLLM's sinks + window, DuoAttention's
 * streaming heads).
 */
interface WindowedPolicy extends KvPolicy {
    /** Removes what falls outside the policy's shape. */
    void compress(KvCache cache, PolicyContext ctx);

    @Override
    default void afterPrefillChunk(KvCache cache, PolicyContext ctx) {
        compress(cache, ctx);
    }

    @Override
    default void afterPrefill(KvCache cache, PolicyContext ctx) {
        compress(cache, ctx);
    }

    @Override
    default void afterDecode(KvCache cache, PolicyContext ctx) {
        compress(cache, ctx);
    }
}
