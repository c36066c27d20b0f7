package dev.winnow.kv.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The registry of compression policies by spec name. */
public final class KvPolicies {
    private static final Map<String, PolicyInfo> REGISTRY = new LinkedHashMap<>();

    static {
        register(NoCompression.INFO);
        register(WindowPolicy.INFO);
        register(StreamingLlmPolicy.INFO);
        register(H2oPolicy.INFO);
        register(SnapKvPolicy.INFO);
        register(PyramidKvPolicy.INFO);
        register(AdaKvPolicy.INFO);
        register(SepLlmPolicy.INFO);
        register(ChunkKvPolicy.INFO);
        register(DuoAttentionPolicy.INFO);
        register(TovaPolicy.INFO);
        register(ScissorhandsPolicy.INFO);
        register(KeyformerPolicy.INFO);
        register(KnormPolicy.INFO);
        register(RandomPolicy.INFO);
        register(ZipCachePolicy.INFO);
        register(LazyEvictionPolicy.INFO);
    }

    private KvPolicies() {
    }

    private static void register(PolicyInfo info) {
        if (REGISTRY.put(info.name(), info) != null) throw new IllegalStateException("duplicate policy " + info.name());
    }

    /** Every policy, in registration order. */
    public static List<PolicyInfo> all() {
        return Collections.unmodifiableList(new ArrayList<>(REGISTRY.values()));
    }

    public static String names() {
        return String.join(", ", REGISTRY.keySet());
    }

    public static PolicyInfo find(String name) {
        PolicyInfo info = REGISTRY.get(name);
        if (info == null) {
            throw new KvSpecException("unknown KV policy '" + name + "'; valid: " + names());
        }
        return info;
    }
}
