package dev.winnow.kv.codec;

import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.KvPolicy;
import dev.winnow.kv.policy.KvSpecException;
import dev.winnow.kv.policy.NoCompression;
import dev.winnow.kv.policy.PolicyContext;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Map;
import java.util.List;

/**
 * A spec of several components joined by {@code +}: at most one eviction policy (none: every
 * entry is kept), at most one component that decides the storage (a codec, mixed precision,
 * MiniCache — f32 when none), at most one that decides what happens to evicted entries (merge,
 * MiKV's demotion), at most one that decides which entries decoding reads (sparse attention). On {@link #attach} the cache gets the storage component's storage first
 * (while it is empty), then the eviction policy attaches, then the components; the session's
 * hooks run the eviction policy first, then the components in spec order. Positions and the
 * context limit are the eviction policy's.
 */
public final class ComposedPolicy implements KvPolicy {
    private final KvPolicy eviction;
    private final List<KvComponent> components;
    private final String spec;

    /**
     * @param eviction the eviction policy, or null for none
     * @param components the other components, in spec order
     */
    public ComposedPolicy(KvPolicy eviction, List<KvComponent> components) {
        this.eviction = eviction == null ? new NoCompression() : eviction;
        this.components = List.copyOf(components);
        Map<KvComponent.Role, KvComponent> holders = new EnumMap<>(KvComponent.Role.class);
        for (KvComponent c : components) {
            for (KvComponent.Role role : c.roles()) {
                KvComponent other = holders.putIfAbsent(role, c);
                if (other != null) {
                    throw new KvSpecException("'" + other.spec() + "' and '" + c.spec() + "' both decide " + describe(role)
                            + "; use one of them");
                }
            }
        }
        for (KvComponent c : components) c.compose(eviction);
        List<String> parts = new ArrayList<>();
        if (eviction != null) parts.add(eviction.spec());
        for (KvComponent c : components) parts.add(c.spec());
        this.spec = String.join("+", parts);
    }

    private static String describe(KvComponent.Role role) {
        return switch (role) {
            case STORAGE -> "how keys and values are stored";
            case EVICTED -> "what happens to evicted entries";
            case SELECTION -> "which entries decoding reads (sparse attention)";
        };
    }

    /** The eviction policy ({@link NoCompression} when the spec has none). */
    public KvPolicy eviction() {
        return eviction;
    }

    public List<KvComponent> components() {
        return components;
    }

    /** The component of the given class, or null. */
    public <T> T component(Class<T> type) {
        for (KvComponent c : components) if (type.isInstance(c)) return type.cast(c);
        return null;
    }

    @Override
    public String spec() {
        return spec;
    }

    /** Whatever the components store or read, the entries kept are the eviction policy's. */
    @Override
    public boolean keepsEveryEntry() {
        return eviction.keepsEveryEntry();
    }

    @Override
    public void attach(KvCache cache, PolicyContext ctx) {
        cache.useEvictionHandler(null);
        KvStorage storage = KvStorage.F32;
        for (KvComponent c : components) {
            KvStorage s = c.storage(ctx);
            if (s != null) storage = s;
        }
        cache.useStorage(storage);
        eviction.attach(cache, ctx);
        for (KvComponent c : components) c.attach(cache, ctx);
    }

    @Override
    public void afterPrefillChunk(KvCache cache, PolicyContext ctx) {
        eviction.afterPrefillChunk(cache, ctx);
        for (KvComponent c : components) c.afterPrefillChunk(cache, ctx);
    }

    @Override
    public void afterPrefill(KvCache cache, PolicyContext ctx) {
        eviction.afterPrefill(cache, ctx);
        for (KvComponent c : components) c.afterPrefill(cache, ctx);
    }

    @Override
    public void afterDecode(KvCache cache, PolicyContext ctx) {
        eviction.afterDecode(cache, ctx);
        for (KvComponent c : components) c.afterDecode(cache, ctx);
    }

    @Override
    public int positionFor(KvCache cache, int absoluteIndex, int indexInBatch) {
        return eviction.positionFor(cache, absoluteIndex, indexInBatch);
    }

    @Override
    public boolean unboundedContext() {
        return eviction.unboundedContext();
    }

    @Override
    public String toString() {
        return spec;
    }
}
