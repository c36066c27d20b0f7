package dev.winnow.generate.speculative;

import dev.winnow.kv.policy.Params;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;

/**
 * A drafter spec such as {@code lookup:n=3,k=8} or {@code recycling:k=8,tree=default}: a drafter
 * name and {@code key=value} parameters, parsed and checked like a KV spec. {@link #parse} builds
 * a drafter once, so every error (unknown drafter, unknown parameter, k=0, a bad tree) is a
 * {@link SpeculateSpecException} with a one-line message before anything runs.
 */
public final class SpeculateSpec {
    private record Entry(String name, String summary, BiFunction<Params, Model, Drafter> factory) {
    }

    private static final List<Entry> DRAFTERS = List.of(
            new Entry("lookup", "prompt lookup: n = longest n-gram matched (3), k = tokens drafted (8)",
                    (p, m) -> new LookupDrafter(p.getInt("n", 3, 1), p.getInt("k", 8, 1))),
            new Entry("recycling", "token recycling: k = candidates kept per token (8), tree = default or widths per depth like 8/4/2",
                    (p, m) -> {
                        int k = p.getInt("k", 8, 1);
                        return new RecyclingDrafter(k, DraftTreeShape.parse(p.getString("tree", "default"), k));
                    }),
            new Entry("self", "self-speculation: the model drafts over a compressed cache, kv = its KV spec with ';' "
                    + "between parameters (streaming:window=256), k = tokens drafted (4)",
                    (p, m) -> new SelfDrafter(m, kvSpec(p.getString("kv", "streaming:window=256")), p.getInt("k", 4, 1))));

    private final String name;
    private final Map<String, String> params;

    private SpeculateSpec(String name, Map<String, String> params) {
        this.name = name;
        this.params = params;
    }

    /** The drafter names with one-line summaries, for help texts. */
    public static String describe() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : DRAFTERS) sb.append(sb.isEmpty() ? "" : "; ").append(e.name).append(" (").append(e.summary).append(')');
        return sb.toString();
    }

    public static SpeculateSpec parse(String text) {
        if (text == null || text.isBlank()) throw new SpeculateSpecException("empty --speculate spec; valid drafters: " + names());
        String t = text.trim();
        int colon = t.indexOf(':');
        String name = (colon < 0 ? t : t.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        String rest = colon < 0 ? "" : t.substring(colon + 1).trim();
        Map<String, String> params = new LinkedHashMap<>();
        if (!rest.isEmpty()) {
            for (String kv : rest.split(",")) {
                int eq = kv.indexOf('=');
                if (eq <= 0) throw new SpeculateSpecException("'" + t + "': parameter '" + kv.trim() + "' should be key=value");
                String k = kv.substring(0, eq).trim(), v = kv.substring(eq + 1).trim();
                if (v.isEmpty()) throw new SpeculateSpecException("'" + t + "': parameter '" + k + "' has no value");
                if (params.put(k, v) != null) throw new SpeculateSpecException("'" + t + "': parameter '" + k + "' given twice");
            }
        }
        SpeculateSpec spec = new SpeculateSpec(name, params);
        spec.newDrafter(); // validates now
        return spec;
    }

    private static String names() {
        return String.join(", ", DRAFTERS.stream().map(Entry::name).toList());
    }

    public String name() {
        return name;
    }

    private static KvSpec kvSpec(String text) {
        try {
            return KvSpec.parse(text.replace(';', ','));
        } catch (IllegalArgumentException e) {
            throw new SpeculateSpecException("self: kv=" + text + ": " + e.getMessage());
        }
    }

    /** A fresh drafter for one session (validation only: self-speculation needs {@link #newDrafter(Model)}). */
    public Drafter newDrafter() {
        return newDrafter(null);
    }

    /** A fresh drafter for one session of {@code model}. */
    public Drafter newDrafter(Model model) {
        Entry entry = DRAFTERS.stream().filter(e -> e.name.equals(name)).findFirst()
                .orElseThrow(() -> new SpeculateSpecException("unknown drafter '" + name + "'; valid: " + names()));
        try {
            Params p = new Params(name, params);
            Drafter d = entry.factory.apply(p, model);
            p.checkAllUsed();
            return d;
        } catch (IllegalArgumentException e) {
            throw e instanceof SpeculateSpecException s ? s : new SpeculateSpecException(e.getMessage());
        }
    }

    @Override
    public String toString() {
        return newDrafter().spec();
    }
}
