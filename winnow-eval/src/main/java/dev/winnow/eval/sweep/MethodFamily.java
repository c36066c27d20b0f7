package dev.winnow.eval.sweep;

import dev.winnow.eval.EvalException;
import dev.winnow.kv.codec.KvCodecs;
import dev.winnow.kv.policy.KvPolicies;
import java.util.Locale;
import java.util.Map;

/**
 * The family a compression spec belongs to, for charts that compare like with like: eviction,
 * quantization (codecs and mixed precision), merging, sparse attention.
 *
 * <p>Every eviction policy in {@link KvPolicies} is {@link #EVICTION} unless {@link #BY_NAME}
 * says otherwise; every other component must be in {@link #BY_NAME}: a name that is in neither is
 * an error, so a method added to a registry is never left out of a report silently. A composed
 * spec belongs to the family of its non-eviction component ({@code h2o+merge} is merging,
 * {@code snapkv+kivi} quantization).
 */
public enum MethodFamily {
    EVICTION("eviction"),
    QUANTIZATION("quantization / mixed precision"),
    MERGING("merging"),
    SPARSE("sparse attention");

    /** The family of each method that is not an eviction policy: one line per method. */
    static final Map<String, MethodFamily> BY_NAME = Map.ofEntries(
            Map.entry("f32", QUANTIZATION), Map.entry("f16", QUANTIZATION), Map.entry("bf16", QUANTIZATION),
            Map.entry("int8", QUANTIZATION), Map.entry("int4", QUANTIZATION), Map.entry("int2", QUANTIZATION),
            Map.entry("codec", QUANTIZATION), Map.entry("kivi", QUANTIZATION), Map.entry("gear", QUANTIZATION),
            Map.entry("mixed", QUANTIZATION), Map.entry("mikv", QUANTIZATION),
            Map.entry("merge", MERGING), Map.entry("minicache", MERGING),
            // sparse attention (dev.winnow.kv.sparse): keep every entry, attend to a budget of them
            Map.entry("quest", SPARSE), Map.entry("tidal", SPARSE), Map.entry("tokenselect", SPARSE),
            Map.entry("delta", SPARSE), Map.entry("doublesparse", SPARSE), Map.entry("hashevict", SPARSE));

    private final String label;

    MethodFamily(String label) {
        this.label = label;
    }

    /** For chart titles: {@code eviction}, {@code quantization / mixed precision}, … */
    public String label() {
        return label;
    }

    /** The family of one method by its spec name ({@code snapkv}, {@code kivi}). */
    public static MethodFamily ofMethod(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        MethodFamily f = BY_NAME.get(n);
        if (f != null) return f;
        if (KvPolicies.all().stream().anyMatch(p -> p.name().equals(n))) return EVICTION;
        String known = KvCodecs.lookup(n) != null ? " (a registered component)" : "";
        throw new EvalException("no method family for '" + name + "'" + known + ": add it to MethodFamily.BY_NAME");
    }

    /**
     * The family of a spec ({@code full}, {@code snapkv:budget=64}, {@code window:budget=128+int4},
     * {@code k=int8,v=int4}): the first component that is not an eviction policy decides, else eviction.
     */
    public static MethodFamily of(String spec) {
        for (String part : SpecGrid.parts(spec)) {
            MethodFamily f = ofMethod(name(part));
            if (f != EVICTION) return f;
        }
        return EVICTION;
    }

    private static String name(String part) {
        int colon = part.indexOf(':');
        if (colon < 0 && part.contains("=")) return "codec"; // k=…,v=… is the codec component
        return colon < 0 ? part : part.substring(0, colon);
    }
}
