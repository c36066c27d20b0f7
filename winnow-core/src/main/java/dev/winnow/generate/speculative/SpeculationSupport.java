package dev.winnow.generate.speculative;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.KvPolicy;

/**
 * Which KV policies speculative decoding can run with. Verification appends the draft rows to the
 * cache and rolls the rejected ones back ({@link KvCache#rollback}); that is exact only when
 * nothing but those appends changed: every entry is kept (no eviction between tokens), the stores
 * encode each vector on its own (f32, f16, bf16, int8, int4/int2 blocks), no attention is
 * recorded into statistics, no queries are kept and no sparse selector chooses entries per step.
 * Everything else is refused with the reason, before generating.
 */
public final class SpeculationSupport {
    private SpeculationSupport() {
    }

    /** Why speculative decoding cannot run with {@code policy} on {@code cache} (attached), or null when it can. */
    public static String refusal(KvPolicy policy, KvCache cache) {
        String spec = policy.spec();
        if (!policy.keepsEveryEntry()) {
            return "KV policy '" + spec + "' evicts entries between tokens, so the rows of one verification pass would "
                    + "see entries plain decoding has evicted; speculative decoding needs a policy that keeps every entry";
        }
        if (cache.attentionRecorder() != null) {
            return "KV policy '" + spec + "' records attention into per-entry statistics, which rejected draft tokens "
                    + "would change and a rollback cannot undo";
        }
        if (cache.queries() != null) {
            return "KV policy '" + spec + "' keeps recent queries, which rejected draft tokens would change";
        }
        if (cache.selector() != null) {
            return "KV policy '" + spec + "' selects entries per decoding step (sparse attention) from state that "
                    + "rejected draft tokens would change";
        }
        String why = rollbackRefusal(cache);
        return why == null ? null : "KV policy '" + spec + "' " + why;
    }

    /** Why the cache's stores cannot roll back appended rows, or null. */
    static String rollbackRefusal(KvCache cache) {
        for (int l = 0; l < cache.layers(); l++) {
            for (int h = 0; h < cache.kvHeads(); h++) {
                if (!cache.head(l, h).supportsRollback()) return notRollback(cache.head(l, h));
            }
        }
        return null;
    }

    private static String notRollback(HeadStore s) {
        return "stores keys/values as " + s.keyStore().codec() + "/" + s.valueStore().codec()
                    + ", which share parameters between entries (or handle evictions), so appended rows cannot be "
                    + "rolled back exactly";
    }
}
