package dev.winnow.kv.policy;

import dev.winnow.kv.codec.ComposedPolicy;
import dev.winnow.kv.codec.KvCodecs;
import dev.winnow.kv.codec.KvComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A compression spec string, e.g. {@code snapkv:budget=256,window=32}, {@code full} or
 * {@code snapkv:budget=1024+kivi:bits=2}: components joined by {@code +}, each a name,
 * optionally followed by {@code :} and comma-separated {@code key=value} parameters. At most
 * one component is an eviction policy ({@link KvPolicies}); the others are codecs, mixed
 * precision, merging ({@link KvCodecs}). A component written only as parameters,
 * {@code k=int8,v=int4}, is the {@code codec} component.
 */
public final class KvSpec {
    /** No compression: every entry kept, keys and values in f32 (what the reference tests use). */
    public static final KvSpec FULL = parse("full");

    /**
     * The spec users get when they name none (the CLI's {@code --kv} default; servers should use
     * {@link #DEFAULT} too): every entry kept in IEEE half precision, the bytes of llama.cpp's
     * default f16 cache, half of {@link #FULL}'s.
     */
    public static final String DEFAULT_TEXT = "f16";

    /** {@link #DEFAULT_TEXT} parsed. */
    public static final KvSpec DEFAULT = parse(DEFAULT_TEXT);

    /** One component of a spec: a name and its parameters as written. */
    public record Component(String name, Map<String, String> params) {
        @Override
        public String toString() {
            return canonical(name, params);
        }
    }

    private final String text;
    private final List<Component> components;

    private KvSpec(String text, List<Component> components) {
        this.text = text;
        this.components = components;
    }

    /** The longest spec accepted (characters). */
    public static final int MAX_LENGTH = 256;

    /** Parses and validates a spec (building a policy once), or throws {@link KvSpecException}. */
    public static KvSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new KvSpecException("empty KV spec; valid policies: " + KvPolicies.names() + "; codecs and components: "
                    + KvCodecs.names());
        }
        String t = text.trim();
        if (t.length() > MAX_LENGTH) {
            // error messages quote the spec; a real one is a few dozen characters
            throw new KvSpecException("KV spec of " + t.length() + " characters is too long (at most " + MAX_LENGTH + "): '"
                    + t.substring(0, 40) + "…'");
        }
        List<Component> components = new ArrayList<>();
        for (String part : t.split("\\+", -1)) {
            String c = part.trim();
            if (c.isEmpty()) throw new KvSpecException("'" + t + "': empty component (two '+' in a row, or one at an end)");
            components.add(component(t, c));
        }
        KvSpec spec = new KvSpec(t, List.copyOf(components));
        spec.newPolicy(); // validates names, parameters and the composition now
        return spec;
    }

    private static Component component(String t, String c) {
        int colon = c.indexOf(':');
        String name;
        String rest;
        if (colon < 0 && c.contains("=")) { // k=int8,v=int4
            name = "codec";
            rest = c;
        } else {
            name = (colon < 0 ? c : c.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
            rest = colon < 0 ? "" : c.substring(colon + 1).trim();
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (!rest.isEmpty()) {
            for (String kv : rest.split(",")) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new KvSpecException("'" + t + "': parameter '" + kv.trim() + "' should be key=value");
                }
                String k = kv.substring(0, eq).trim(), v = kv.substring(eq + 1).trim();
                if (v.isEmpty()) throw new KvSpecException("'" + t + "': parameter '" + k + "' has no value");
                if (params.put(k, v) != null) throw new KvSpecException("'" + t + "': parameter '" + k + "' given twice");
            }
        }
        return new Component(name, params);
    }

    private static PolicyInfo evictionPolicy(String name) {
        for (PolicyInfo info : KvPolicies.all()) if (info.name().equals(name)) return info;
        return null;
    }

    /** A fresh policy for one session. */
    public KvPolicy newPolicy() {
        KvPolicy eviction = null;
        String evictionName = null;
        List<KvComponent> others = new ArrayList<>();
        for (Component c : components) {
            PolicyInfo info = evictionPolicy(c.name());
            boolean isEviction = info != null;
            if (info == null) info = KvCodecs.lookup(c.name());
            if (info == null) {
                throw new KvSpecException("unknown KV policy '" + c.name() + "'; valid: " + KvPolicies.names()
                        + "; codecs and components (joined with +): " + KvCodecs.names());
            }
            if (isEviction && eviction != null) {
                throw new KvSpecException("'" + text + "': one policy per spec — '" + evictionName + "' and '" + c.name()
                        + "' are both eviction policies; '+' adds codecs and components: " + KvCodecs.names());
            }
            Params p = new Params(c.name(), c.params());
            KvPolicy built = info.factory().apply(p);
            if (isEviction && built instanceof BudgetedPolicy bp) {
                // Every budgeted policy accepts slack=N (default: the policy's own, see BudgetedPolicy).
                bp.withSlack(BudgetedPolicy.readSlack(p, bp.slack()));
            }
            p.checkAllUsed();
            if (isEviction) {
                eviction = built;
                evictionName = c.name();
            } else {
                others.add((KvComponent) built);
            }
        }
        if (others.isEmpty()) return eviction;
        return new ComposedPolicy(eviction, others);
    }

    /** The eviction policy's name, or the first component's when there is none. */
    public String name() {
        return main().name();
    }

    /** The parameters of the component {@link #name()} names. */
    public Map<String, String> params() {
        return Map.copyOf(main().params());
    }

    private Component main() {
        for (Component c : components) if (evictionPolicy(c.name()) != null) return c;
        return components.get(0);
    }

    /** The components in spec order. */
    public List<Component> components() {
        return components;
    }

    /** True for {@code full} alone: no compression of any kind. */
    public boolean isFull() {
        return components.size() == 1 && components.get(0).name().equals("full");
    }

    /** The spec as written (trimmed). */
    @Override
    public String toString() {
        return text;
    }

    /** Canonical text of a component: name, then the given parameters in order. */
    static String canonical(String name, Map<String, String> params) {
        if (params.isEmpty()) return name;
        StringBuilder sb = new StringBuilder(name).append(':');
        params.forEach((k, v) -> sb.append(sb.charAt(sb.length() - 1) == ':' ? "" : ",").append(k).append('=').append(v));
        return sb.toString();
    }
}
