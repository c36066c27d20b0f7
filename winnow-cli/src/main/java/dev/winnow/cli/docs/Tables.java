package dev.winnow.cli.docs;

import dev.winnow.eval.sweep.CellResult;
import dev.winnow.eval.sweep.ResultsFile;
import dev.winnow.kv.sparse.SparseMethods;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The results tables of the docs, each computed from recorded result files (sweep results of
 * {@code winnow eval}, rows of {@code winnow kv compare -o}). A table kind names a layout; no
 * table holds timing columns (the recorded speeds depend on what else the machine was doing).
 * Every table that compares budgets shows the entries held at the end beside the peak.
 */
final class Tables {
    static final List<String> KINDS = List.of("fidelity", "ppl", "segments", "recall", "compare", "compare-sparse");

    private Tables() {
    }

    /** The Markdown table of {@code kind} from {@code sources} (paths as written in the marker, resolved against root). */
    static String generate(String kind, List<Path> sources, Map<String, String> options, String where) {
        if (sources.isEmpty()) throw new DocsException(where + ": table '" + kind + "' names no source file");
        for (Path p : sources) {
            if (!Files.isRegularFile(p)) throw new DocsException(where + ": source " + p + " does not exist");
        }
        return switch (kind) {
            case "fidelity" -> fidelity(cells(sources));
            case "ppl" -> ppl(cells(sources));
            case "segments" -> segments(cells(sources));
            case "recall" -> recall(sources, intOption(options, "at", 64, where));
            case "compare" -> compare(records(sources), options.getOrDefault("rows", "all"), where);
            case "compare-sparse" -> compareSparse(records(sources));
            default -> throw new DocsException(where + ": unknown table kind '" + kind + "'; valid: " + String.join(", ", KINDS));
        };
    }

    private static List<CellResult> cells(List<Path> sources) {
        return ResultsFile.readAll(sources);
    }

    private static List<CompareRecord> records(List<Path> sources) {
        List<CompareRecord> out = new ArrayList<>();
        for (Path p : sources) out.addAll(CompareRecord.read(p));
        return out;
    }

    private static int intOption(Map<String, String> options, String name, int def, String where) {
        String v = options.get(name);
        if (v == null) return def;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new DocsException(where + ": " + name + "=" + v + " is not an integer");
        }
    }

    static String fidelity(List<CellResult> cells) {
        StringBuilder sb = header("spec", "budget", "top-1", "KL mean", "KL p95", "ppl Δ", "first divergence",
                "entries/head", "peak entries/head", "KV KiB", "compression");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (CellResult c : cells) {
            if (!c.task().equals("fidelity")) continue;
            row(sb, code(c.spec()), c.budget() == null ? "–" : String.valueOf(c.budget()), pct1(c.metric("top1")),
                    kl(c.metric("kl_mean")), kl(c.metric("kl_p95")), signed(c.metric("ppl_delta")),
                    integer(c.metric("first_divergence")), f(1, c.kv().entriesPerHead()), String.valueOf(c.kv().peakEntries()),
                    f(1, c.kv().bytes() / 1024.0), pct1(c.kv().compressionRatio()));
        }
        return sb.toString();
    }

    static String ppl(List<CellResult> cells) {
        StringBuilder sb = header("spec", "budget / ratio", "ppl_in_context", "ppl", "tokens_scored", "ppl_past_context",
                "KV KiB", "entries/head", "peak entries/head", "compression");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (CellResult c : cells) {
            if (!c.task().equals("ppl")) continue;
            row(sb, code(c.spec()), c.setting(), f(3, c.metric("ppl_in_context")), f(3, c.metric("ppl")),
                    integer(c.metric("tokens_scored")), f(3, c.metric("ppl_past_context")), f(1, c.kv().bytes() / 1024.0),
                    f(1, c.kv().entriesPerHead()), String.valueOf(c.kv().peakEntries()), pct1(c.kv().compressionRatio()));
        }
        return sb.toString();
    }

    /** Perplexity per segment of a {@code ppl} run: one row per spec. */
    static String segments(List<CellResult> cells) {
        int n = 0;
        for (CellResult c : cells) n = Math.max(n, segmentList(c).size());
        StringBuilder sb = new StringBuilder("| spec | entries/head | peak entries/head |");
        StringBuilder rule = new StringBuilder("|---|---:|---:|");
        for (int i = 1; i <= n; i++) {
            sb.append(' ').append(i).append(" |");
            rule.append("---:|");
        }
        sb.append('\n').append(rule).append('\n');
        for (CellResult c : cells) {
            if (!c.task().equals("ppl")) continue;
            List<?> segs = segmentList(c);
            List<String> cols = new ArrayList<>(List.of(code(c.spec()), f(1, c.kv().entriesPerHead()),
                    String.valueOf(c.kv().peakEntries())));
            for (int i = 0; i < n; i++) {
                Object v = i < segs.size() ? segs.get(i) : null;
                cols.add(v instanceof Number x ? f(2, x.doubleValue()) : "–");
            }
            row(sb, cols.toArray(String[]::new));
        }
        return sb.toString();
    }

    private static List<?> segmentList(CellResult c) {
        Object s = c.details() == null ? null : c.details().get("segments");
        return s instanceof List<?> l ? l : List.of();
    }

    /**
     * Accuracy (%) per budget, one column group per source file (the first: its budgets; the
     * others prefixed with their task); specs without a budget (full, codecs) in the group's
     * first column; entries held / peak and KV KiB of the cell at budget {@code at} (or the one cell).
     */
    static String recall(List<Path> sources, int at) {
        List<List<CellResult>> files = new ArrayList<>();
        for (Path p : sources) files.add(ResultsFile.read(p));
        Set<Integer> budgetSet = new TreeSet<>();
        Set<String> bases = new LinkedHashSet<>();
        for (List<CellResult> f : files) {
            for (CellResult c : f) {
                if (c.budget() != null) budgetSet.add(c.budget());
                bases.add(c.baseSpec());
            }
        }
        List<Integer> budgets = new ArrayList<>(budgetSet);
        List<String> head = new ArrayList<>(List.of("spec"));
        for (int fi = 0; fi < files.size(); fi++) {
            String prefix = fi == 0 || files.get(fi).isEmpty() ? "" : files.get(fi).getFirst().task() + ": ";
            for (int bi = 0; bi < budgets.size(); bi++) head.add((bi == 0 ? prefix : "") + budgets.get(bi));
        }
        head.add("entries/head held / peak at " + at);
        head.add("KV KiB at " + at);
        StringBuilder sb = header(head.toArray(String[]::new));
        sb.append("|---|").append("---:|".repeat(head.size() - 1)).append('\n');
        for (String base : bases) {
            List<String> cols = new ArrayList<>(List.of(code(base)));
            CellResult atCell = null;
            for (List<CellResult> f : files) {
                Map<Integer, CellResult> byBudget = new LinkedHashMap<>();
                CellResult single = null;
                for (CellResult c : f) {
                    if (!c.baseSpec().equals(base)) continue;
                    if (c.budget() == null) single = c;
                    else byBudget.put(c.budget(), c);
                }
                for (int bi = 0; bi < budgets.size(); bi++) {
                    CellResult c = byBudget.get(budgets.get(bi));
                    if (c == null && bi == 0) c = single;
                    cols.add(c == null ? "" : f(1, 100 * c.metric("accuracy")));
                }
                if (atCell == null) atCell = byBudget.containsKey(at) ? byBudget.get(at) : single;
            }
            cols.add(atCell == null ? "" : f(1, atCell.kv().entriesPerHead()) + " / " + atCell.kv().peakEntries());
            cols.add(atCell == null ? "" : f(0, atCell.kv().bytes() / 1024.0));
            row(sb, cols.toArray(String[]::new));
        }
        return sb.toString();
    }

    /** kv compare rows: {@code rows=all|eviction|sparse} (sparse: the sparse-attention methods). */
    static String compare(List<CompareRecord> records, String rows, String where) {
        if (!List.of("all", "eviction", "sparse").contains(rows)) {
            throw new DocsException(where + ": rows=" + rows + " is not valid; valid: all, eviction, sparse");
        }
        StringBuilder sb = header("spec", "entries/head (held)", "peak entries/head", "KV bytes", "bits/number", "top-1 agreement");
        sb.append("|---|---:|---:|---:|---:|---:|\n");
        for (CompareRecord r : records) {
            boolean sparse = isSparse(r.spec());
            if (rows.equals("eviction") && sparse || rows.equals("sparse") && !sparse) continue;
            row(sb, code(r.spec()), f(1, r.entriesPerHead()), String.valueOf(r.peakEntries()), kib(r.kvBytes()),
                    f(2, r.bitsPerValue()), f(1, 100 * r.top1()) + " %");
        }
        return sb.toString();
    }

    /**
     * Sparse attention by budget: per method its agreement and (mean entries read per head and
     * step); beside it the two best eviction specs of the same budget from the same file.
     */
    static String compareSparse(List<CompareRecord> records) {
        Map<Integer, Map<String, CompareRecord>> sparse = new java.util.TreeMap<>();
        Map<Integer, List<CompareRecord>> eviction = new java.util.TreeMap<>();
        Set<String> methods = new LinkedHashSet<>();
        for (CompareRecord r : records) {
            Integer b = budgetOf(r.spec());
            if (b == null) continue;
            if (isSparse(r.spec())) {
                String name = name(r.spec());
                methods.add(name);
                sparse.computeIfAbsent(b, k -> new LinkedHashMap<>()).put(name, r);
            } else if (!r.spec().contains("+")) {
                eviction.computeIfAbsent(b, k -> new ArrayList<>()).add(r);
            }
        }
        List<String> head = new ArrayList<>(List.of("budget"));
        head.addAll(methods);
        head.add("best eviction, same budget (held / peak)");
        StringBuilder sb = header(head.toArray(String[]::new));
        sb.append("|---|").append("---|".repeat(head.size() - 1)).append('\n');
        for (var e : sparse.entrySet()) {
            List<String> cols = new ArrayList<>(List.of(String.valueOf(e.getKey())));
            for (String m : methods) {
                CompareRecord r = e.getValue().get(m);
                cols.add(r == null ? "" : f(1, 100 * r.top1()) + "% (read " + f(1, r.readPerStep()) + ")");
            }
            List<CompareRecord> ev = new ArrayList<>(eviction.getOrDefault(e.getKey(), List.of()));
            ev.sort((a, b) -> Double.compare(b.top1(), a.top1()));
            cols.add(ev.stream().limit(2).map(r -> name(r.spec()) + " " + f(1, 100 * r.top1()) + "% ("
                    + f(0, r.entriesPerHead()) + " / " + r.peakEntries() + ")").collect(Collectors.joining(", ")));
            row(sb, cols.toArray(String[]::new));
        }
        return sb.toString();
    }

    private static final Pattern BUDGET = Pattern.compile("[:,]budget=(\\d+)");

    static Integer budgetOf(String spec) {
        Matcher m = BUDGET.matcher(spec);
        return m.find() ? Integer.parseInt(m.group(1)) : null;
    }

    private static String name(String spec) {
        int i = spec.indexOf(':');
        int j = spec.indexOf('+');
        int end = i < 0 ? (j < 0 ? spec.length() : j) : (j < 0 ? i : Math.min(i, j));
        return spec.substring(0, end);
    }

    private static boolean isSparse(String spec) {
        for (String component : spec.split("\\+")) {
            String n = name(component);
            if (SparseMethods.all().stream().anyMatch(p -> p.name().equals(n))) return true;
        }
        return false;
    }

    private static StringBuilder header(String... cols) {
        StringBuilder sb = new StringBuilder();
        row(sb, cols);
        return sb;
    }

    private static void row(StringBuilder sb, String... cols) {
        sb.append("| ").append(String.join(" | ", cols)).append(" |\n");
    }

    private static String code(String spec) {
        return "`" + spec + "`";
    }

    static String f(int digits, Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private static String pct1(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    private static String signed(Double v) {
        return v == null ? "–" : String.format(Locale.ROOT, "%+.3f", v);
    }

    private static String integer(Double v) {
        return v == null ? "–" : String.valueOf(Math.round(v));
    }

    /** KL in nats: 0 exactly, else 4 decimals, or 2 significant digits in scientific notation when small. */
    static String kl(Double v) {
        if (v == null) return "–";
        if (v == 0) return "0";
        if (Math.abs(v) < 1e-3) return String.format(Locale.ROOT, "%.1e", v);
        return String.format(Locale.ROOT, Math.abs(v) < 1 ? "%.4f" : "%.3f", v);
    }

    private static String kib(long bytes) {
        return String.format(Locale.ROOT, "%.2f KiB", bytes / 1024.0);
    }
}
