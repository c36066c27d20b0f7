package dev.winnow.eval.sweep;

import dev.winnow.eval.EvalException;
import dev.winnow.kv.policy.KvPolicies;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.kv.policy.PolicyInfo;
import dev.winnow.kv.sparse.SparseMethods;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Expands base specs × budgets (or ratios) into the specs a sweep runs:
 * <ul>
 * <li>{@code full}, a spec that already sets {@code budget} or {@code ratio}, and a StreamingLLM or
 *     Duo spec that sets {@code window}, is one cell, run as given;</li>
 * <li>a policy with a {@code budget} parameter gets {@code budget=B}; when its {@code window}
 *     is an observation window counted inside the budget (SnapKV, PyramidKV, Ada-KV, ChunkKV)
 *     and not given, {@code window=min(32, B/4)} (as {@code winnow kv compare});</li>
 * <li>StreamingLLM and Duo (sinks + window) get {@code window=B−sinks};</li>
 * <li>a sparse-attention method without an eviction policy in its spec gets {@code budget=B}
 *     (entries read per decoding step);</li>
 * <li>with ratios, {@code ratio=R}; policies without a ratio parameter are an error.</li>
 * </ul>
 */
public final class SpecGrid {
    private SpecGrid() {
    }

    public static List<Cell> expand(List<String> specs, List<Integer> budgets, List<Double> ratios) {
        if (specs.isEmpty()) throw new EvalException("no KV specs to sweep");
        for (int b : budgets) if (b < 1) throw new EvalException("budget " + b + " must be >= 1");
        for (double r : ratios) {
            if (!(r > 0 && r < 1)) throw new EvalException("ratio " + r + " must be between 0 and 1 (the fraction removed)");
        }
        Map<String, Cell> cells = new LinkedHashMap<>();
        for (String text : specs) {
            KvSpec base = KvSpec.parse(text);
            String baseText = base.toString();
            if (fixed(base) || (budgets.isEmpty() && ratios.isEmpty())) {
                Integer b = base.params().containsKey("budget") ? Integer.valueOf(base.params().get("budget")) : null;
                Double r = base.params().containsKey("ratio") ? Double.valueOf(base.params().get("ratio")) : null;
                cells.putIfAbsent(baseText, new Cell(baseText, baseText, b, r));
                continue;
            }
            for (int b : budgets) {
                String s = withBudget(base, b);
                cells.putIfAbsent(s, new Cell(baseText, s, b, null));
            }
            for (double r : ratios) {
                String s = withRatio(base, r);
                cells.putIfAbsent(s, new Cell(baseText, s, null, r));
            }
        }
        return List.copyOf(cells.values());
    }

    /**
     * Whether a spec already says how much it keeps (no budget or ratio is added to it): {@code full},
     * a spec without an eviction policy (codecs only), an eviction policy given {@code budget=} or
     * {@code ratio=}, or a policy without a budget (streaming, duo) given its {@code window=}.
     */
    static boolean fixed(KvSpec spec) {
        List<String> parts = parts(spec.toString());
        int e = budgetIndex(parts);
        if (e < 0) return true;
        String name = name(parts.get(e));
        Map<String, String> params = params(parts.get(e));
        if (name.equals("full") || params.containsKey("budget") || params.containsKey("ratio")) return true;
        return !has(info(name), "budget") && params.containsKey("window");
    }

    /** The spec for budget {@code b}: see the class comment. */
    public static String withBudget(KvSpec base, int b) {
        List<String> parts = parts(base.toString());
        int e = budgetIndex(parts);
        if (e < 0) throw new EvalException("'" + base + "': no eviction policy or sparse-attention method to give a budget to");
        PolicyInfo info = info(name(parts.get(e)));
        Map<String, String> given = params(parts.get(e));
        List<String> add = new ArrayList<>();
        if (has(info, "budget")) {
            add.add("budget=" + b);
            PolicyInfo.Param window = param(info, "window");
            if (window != null && window.description().startsWith("observation window") && !given.containsKey("window")) {
                add.add("window=" + Math.max(1, Math.min(32, b / 4)));
            }
        } else if (has(info, "sinks") && has(info, "window")) {
            int sinks = given.containsKey("sinks") ? Integer.parseInt(given.get("sinks")) : Integer.parseInt(param(info, "sinks").defaultValue());
            if (b - sinks < 1) throw new EvalException("'" + base + "': budget " + b + " leaves no window after " + sinks + " sinks");
            add.add("window=" + (b - sinks));
        } else {
            throw new EvalException("'" + base + "': " + info.name() + " has no budget parameter; sweep it without --budgets");
        }
        return parse(append(parts, e, add));
    }

    /** The spec for ratio {@code r} (fraction of entries removed). */
    public static String withRatio(KvSpec base, double r) {
        List<String> parts = parts(base.toString());
        int e = evictionIndex(parts);
        if (e < 0) throw new EvalException("'" + base + "': no eviction policy to give a ratio to");
        PolicyInfo info = KvPolicies.find(name(parts.get(e)));
        if (!has(info, "ratio")) {
            throw new EvalException("'" + base + "': " + info.name() + " takes no ratio= (it keeps a fixed number of entries); use --budgets");
        }
        return parse(append(parts, e, List.of("ratio=" + String.format(Locale.ROOT, "%s", r))));
    }

    /** The eviction policy a spec names (its first component that is one), or its first component's name. */
    public static String policy(String spec) {
        List<String> parts = parts(spec);
        int e = evictionIndex(parts);
        return name(parts.get(Math.max(0, e)));
    }

    private static String parse(String s) {
        return KvSpec.parse(s).toString(); // validates: a bad combination is reported with the spec
    }

    /** The components of a spec text ('+'-separated, trimmed). */
    static List<String> parts(String spec) {
        List<String> out = new ArrayList<>();
        for (String p : spec.split("\\+", -1)) out.add(p.trim());
        return out;
    }

    private static String name(String part) {
        int colon = part.indexOf(':');
        if (colon < 0 && part.contains("=")) return "codec";
        return (colon < 0 ? part : part.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
    }

    private static Map<String, String> params(String part) {
        Map<String, String> m = new LinkedHashMap<>();
        int colon = part.indexOf(':');
        String rest = colon < 0 ? (part.contains("=") ? part : "") : part.substring(colon + 1);
        for (String kv : rest.split(",")) {
            int eq = kv.indexOf('=');
            if (eq > 0) m.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return m;
    }

    /**
     * The component a budget goes to: the eviction policy, or — in a spec without one — the
     * sparse-attention method (its budget is the entries each decoding step reads); -1 if none.
     */
    private static int budgetIndex(List<String> parts) {
        int e = evictionIndex(parts);
        if (e >= 0) return e;
        List<String> sparse = SparseMethods.all().stream().map(PolicyInfo::name).toList();
        for (int i = 0; i < parts.size(); i++) if (sparse.contains(name(parts.get(i)))) return i;
        return -1;
    }

    private static PolicyInfo info(String name) {
        for (PolicyInfo p : SparseMethods.all()) if (p.name().equals(name)) return p;
        return KvPolicies.find(name);
    }

    /** Index of the first component that is an eviction policy, or -1. */
    private static int evictionIndex(List<String> parts) {
        List<String> names = KvPolicies.all().stream().map(PolicyInfo::name).toList();
        for (int i = 0; i < parts.size(); i++) if (names.contains(name(parts.get(i)))) return i;
        return -1;
    }

    private static String append(List<String> parts, int e, List<String> add) {
        List<String> out = new ArrayList<>(parts);
        String p = parts.get(e);
        String joined = String.join(",", add);
        out.set(e, p.indexOf(':') < 0 ? p + ":" + joined : p.endsWith(":") ? p + joined : p + "," + joined);
        return String.join("+", out);
    }

    private static boolean has(PolicyInfo info, String name) {
        return param(info, name) != null;
    }

    private static PolicyInfo.Param param(PolicyInfo info, String name) {
        for (PolicyInfo.Param p : info.params()) if (p.name().equals(name)) return p;
        return null;
    }
}
