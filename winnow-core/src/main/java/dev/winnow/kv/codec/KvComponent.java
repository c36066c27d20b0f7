package dev.winnow.kv.codec;

import dev.winnow.kv.policy.KvPolicy;
import dev.winnow.kv.policy.PolicyContext;
import java.util.Set;

/**
 * A part of a composed spec other than the eviction policy: a codec, mixed precision, merging,
 * cross-layer sharing. It is a {@link KvPolicy} (the session calls its hooks after the eviction
 * policy's, see {@link ComposedPolicy}) that also says which part of the cache it decides, so that
 * a spec cannot give two components the same job.
 */
public interface KvComponent extends KvPolicy {
    /** What a component decides. */
    enum Role {
        /** How keys and values are stored ({@link #storage}). */
        STORAGE,
        /** What happens to the entries the eviction policy removes (installs an eviction handler). */
        EVICTED,
        /** Which entries each decoding step reads (sparse attention: installs an entry selector). */
        SELECTION
    }

    Set<Role> roles();

    /**
     * The storage this component gives the cache (components with the {@link Role#STORAGE}
     * role), set before anything else is attached; null for the others.
     */
    default KvStorage storage(PolicyContext ctx) {
        return null;
    }

    /**
     * Called once when the policy is composed, with the spec's eviction policy (null when the
     * spec has none). A component that needs one, or that cannot work with this one, throws
     * {@link dev.winnow.kv.policy.KvSpecException} naming the problem.
     */
    default void compose(KvPolicy eviction) {
    }
}
