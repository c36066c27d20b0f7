package dev.winnow.kv.codec;

import dev.winnow.kv.policy.PolicyContext;
import java.util.Set;

/** A spec component that only chooses the codecs of keys and values ({@code int8}, {@code kivi:bits=2}, {@code k=int8,v=int4}). */
public final class CodecComponent implements KvComponent {
    private final String spec;
    private final KvStorage storage;

    public CodecComponent(String spec, KvStorage storage) {
        this.spec = spec;
        this.storage = storage;
    }

    public CodecComponent(String spec, KvCodec keys, KvCodec values) {
        this(spec, KvStorage.of(keys, values));
    }

    @Override
    public Set<Role> roles() {
        return Set.of(Role.STORAGE);
    }

    @Override
    public String spec() {
        return spec;
    }

    @Override
    public KvStorage storage(PolicyContext ctx) {
        return storage;
    }

    @Override
    public String toString() {
        return spec;
    }
}
