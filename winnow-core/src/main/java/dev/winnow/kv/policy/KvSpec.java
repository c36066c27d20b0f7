package dev.winnow.kv.policy;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A compression spec string, e.g. {@code snapkv:budget=256,window=32} or {@code full}: a
 * policy name, optionally followed by {@code :} and comma-separated {@code key=value}
 * parameters. Components joined by {@code +} compose (codecs and sparse attention join later);
 * today a spec holds one eviction policy.
 */
public final class KvSpec {
    /** No compression. */
    public static final KvSpec FULL = parse("full");

    private final String text;
    private final String name;
    private final Map<String, String> params;

    private KvSpec(String text, String name, Map<String, String> params) {
        this.text = text;
        this.name = name;
        this.params = params;
    }

    /** Parses and validates a spec (building a policy once), or throws {@link KvSpecException}. */
    public static KvSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new KvSpecException("empty KV spec; valid policies: " + KvPolicies.names());
        }
        String t = text.trim();
        String[] components = t.split("\\+", -1);
        if (components.length > 1) {
            throw new KvSpecException("'" + t + "': one policy per spec for now ('+' composes codecs and sparse "
                    + "attention, which are not available yet); valid policies: " + KvPolicies.names());
        }
        String c = components[0].trim();
        int colon = c.indexOf(':');
        String name = (colon < 0 ? c : c.substring(0, colon)).trim().toLowerCase(java.util.Locale.ROOT);
        Map<String, String> params = new LinkedHashMap<>();
        if (colon >= 0) {
            String rest = c.substring(colon + 1).trim();
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
        }
        KvSpec spec = new KvSpec(t, name, params);
        spec.newPolicy(); // validates name and parameters now
        return spec;
    }

    /** A fresh policy for one session. */
    public KvPolicy newPolicy() {
        PolicyInfo info = KvPolicies.find(name);
        Params p = new Params(name, params);
        KvPolicy policy = info.factory().apply(p);
        if (policy instanceof BudgetedPolicy bp) {
            // Every budgeted policy accepts slack=N (default: the policy's own, see BudgetedPolicy).
            bp.withSlack(BudgetedPolicy.readSlack(p, bp.slack()));
        }
        p.checkAllUsed();
        return policy;
    }

    public String name() {
        return name;
    }

    public Map<String, String> params() {
        return Map.copyOf(params);
    }

    public boolean isFull() {
        return name.equals("full");
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
