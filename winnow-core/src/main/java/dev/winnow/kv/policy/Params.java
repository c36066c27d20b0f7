package dev.winnow.kv.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code key=value} parameters of one spec component, read with defaults and checked:
 * a policy reads each parameter it knows; {@link #checkAllUsed} then rejects the others.
 */
public final class Params {
    private final String policy;
    private final Map<String, String> values;
    private final List<String> known = new ArrayList<>();

    public Params(String policy, Map<String, String> values) {
        this.policy = policy;
        this.values = new LinkedHashMap<>(values);
    }

    public static Params empty(String policy) {
        return new Params(policy, Map.of());
    }

    /** The policy name and the parameters as given: the canonical spec of the component. */
    public String spec() {
        return KvSpec.canonical(policy, values);
    }

    public String policy() {
        return policy;
    }

    public boolean has(String name) {
        known.add(name);
        return values.containsKey(name);
    }

    public int getInt(String name, int defaultValue, int min) {
        known.add(name);
        String v = values.get(name);
        if (v == null) return defaultValue;
        int x;
        try {
            x = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            if (v.trim().matches("[+-]?\\d+")) {
                throw new KvSpecException(policy + ": " + name + "=" + v.trim() + " is too large (maximum "
                        + Integer.MAX_VALUE + ")");
            }
            throw new KvSpecException(policy + ": " + name + "='" + v + "' is not a whole number");
        }
        if (x < min) throw new KvSpecException(policy + ": " + name + "=" + x + " must be >= " + min);
        return x;
    }

    public double getDouble(String name, double defaultValue, double min, double max) {
        known.add(name);
        String v = values.get(name);
        if (v == null) return defaultValue;
        double x;
        try {
            x = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new KvSpecException(policy + ": " + name + "='" + v + "' is not a number");
        }
        if (!(x >= min && x <= max)) {
            throw new KvSpecException(policy + ": " + name + "=" + v + " must be between " + min + " and " + max);
        }
        return x;
    }

    public String getString(String name, String defaultValue, String... allowed) {
        known.add(name);
        String v = values.getOrDefault(name, defaultValue);
        if (allowed.length > 0 && v != null && !List.of(allowed).contains(v)) {
            throw new KvSpecException(policy + ": " + name + "='" + v + "' is not one of " + String.join(", ", allowed));
        }
        return v;
    }

    /** Fails on parameters no reader asked for, listing the valid ones. */
    public void checkAllUsed() {
        for (String k : values.keySet()) {
            if (!known.contains(k)) {
                throw new KvSpecException(policy + ": unknown parameter '" + k + "'; valid: "
                        + (known.isEmpty() ? "(none)" : String.join(", ", known.stream().distinct().toList())));
            }
        }
    }
}
