package dev.winnow.kv.sparse;

import dev.winnow.kv.policy.PolicyInfo;
import java.util.List;

/**
 * The sparse-attention methods by spec name. They are spec components (joined with {@code +} to an
 * eviction policy and a codec: {@code quest:budget=512+int8},
 * {@code streaming:sinks=4,window=8192+tidal:budget=256}) registered with the other components in
 * {@link dev.winnow.kv.codec.KvCodecs}.
 */
public final class SparseMethods {
    private SparseMethods() {
    }

    public static List<PolicyInfo> all() {
        return List.of(QuestAttention.INFO, TokenSelectAttention.INFO, TidalAttention.INFO, DeltaAttention.INFO,
                DoubleSparsityAttention.INFO, HashEvictAttention.INFO);
    }
}
