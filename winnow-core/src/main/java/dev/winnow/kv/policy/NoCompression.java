package dev.winnow.kv.policy;

import java.util.List;

/** {@code full}: the cache keeps every entry. */
public final class NoCompression implements KvPolicy {
    public static final PolicyInfo INFO = new PolicyInfo("full", "no compression: every entry is kept", "-",
            List.of(), p -> new NoCompression());

    @Override
    public String spec() {
        return "full";
    }

    @Override
    public boolean keepsEveryEntry() {
        return true;
    }
}
