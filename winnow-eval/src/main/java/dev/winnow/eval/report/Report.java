package dev.winnow.eval.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.eval.EvalException;
import dev.winnow.eval.metrics.Metrics;
import dev.winnow.eval.report.SvgChart.Axis;
import dev.winnow.eval.report.SvgChart.Point;
import dev.winnow.eval.report.SvgChart.Series;
import dev.winnow.eval.sweep.CellResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The report of sweep results: a self-contained HTML page ({@code index.html}: inline CSS, no
 * script, no network; charts are SVG files in {@code charts/}), the same tables in Markdown
 * ({@code results.md}) and every cell as CSV ({@code results.csv}).
 *
 * <p>Results are grouped by model, task and task parameters. Per group: each headline metric
 * against the measured compression ratio (one line per base spec through its budgets; the full
 * cache as a dashed reference), KV bytes against the budget, decode tokens/s against the
 * context length at the tightest budget, perplexity per segment ({@code ppl}), accuracy heat
 * maps over (length, depth) ({@code needle}), and a table of every cell.
 */
public final class Report {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> FRACTIONS = Set.of("top1", "accuracy", "score", "f1", "em", "rouge-l", "contains",
            "gen_identical");
    private static final Set<String> COUNTS = Set.of("items", "items_skipped", "tokens_scored", "first_divergence", "probes",
            "scored");

    private Report() {
    }

    /** A group of results: one model, one task with one set of parameters. */
    record Group(String title, String slug, CellResult first, List<CellResult> cells) {
    }

    /** A chart written for a group. */
    record Chart(String file, String title) {
    }

    /** Writes the report into {@code dir}; returns the files written (index.html first). */
    public static List<Path> write(List<CellResult> results, Path dir) {
        if (results.isEmpty()) throw new EvalException("no results to report");
        try {
            Files.createDirectories(dir.resolve("charts"));
            List<Group> groups = groups(results);
            List<Path> written = new ArrayList<>();
            Map<Group, List<Chart>> charts = new LinkedHashMap<>();
            for (Group g : groups) charts.put(g, charts(g, dir, written));
            Path html = dir.resolve("index.html");
            Files.writeString(html, html(groups, charts), StandardCharsets.UTF_8);
            Path md = dir.resolve("results.md");
            Files.writeString(md, markdown(groups, charts), StandardCharsets.UTF_8);
            Path csv = dir.resolve("results.csv");
            Files.writeString(csv, csv(results), StandardCharsets.UTF_8);
            List<Path> out = new ArrayList<>(List.of(html, md, csv));
            out.addAll(written);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Group> groups(List<CellResult> results) {
        Map<String, List<CellResult>> by = new LinkedHashMap<>();
        for (CellResult r : results) {
            String key = r.model().sha256() + "|" + r.task() + "|" + json(r.taskParams());
            List<CellResult> list = by.computeIfAbsent(key, k -> new ArrayList<>());
            // a cell computed twice (two results files): the later one wins
            list.removeIf(x -> x.cell().equals(r.cell()));
            list.add(r);
        }
        List<Group> groups = new ArrayList<>();
        int i = 1;
        Map<String, Integer> taskCount = new LinkedHashMap<>();
        for (List<CellResult> cells : by.values()) {
            CellResult f = cells.getFirst();
            int n = taskCount.merge(f.task(), 1, Integer::sum);
            String title = f.task() + " — " + f.model().name() + " (" + f.model().file() + ")" + (n > 1 ? " #" + n : "");
            groups.add(new Group(title, String.format(Locale.ROOT, "g%d-%s", i++, slug(f.task())), f, cells));
        }
        return groups;
    }

    // ---------------------------------------------------------------- charts

    private static List<Chart> charts(Group g, Path dir, List<Path> written) throws IOException {
        List<Chart> out = new ArrayList<>();
        List<CellResult> cells = g.cells();
        CellResult full = cells.stream().filter(c -> c.spec().equals("full")).findFirst().orElse(null);
        List<String> bases = new ArrayList<>(new LinkedHashSet<>(cells.stream()
                .filter(c -> !c.spec().equals("full")).map(CellResult::baseSpec).toList()));
        // 1. headline metrics against the measured compression ratio
        for (String metric : g.first().headline()) {
            List<Series> series = new ArrayList<>();
            for (String base : bases) {
                List<Point> pts = new ArrayList<>();
                for (CellResult c : cells) {
                    if (c.baseSpec().equals(base) && c.metric(metric) != null) {
                        pts.add(new Point(c.kv().compression(), c.metric(metric)));
                    }
                }
                pts.sort(Comparator.comparingDouble(Point::x));
                if (!pts.isEmpty()) series.add(new Series(base, pts));
            }
            if (full != null && full.metric(metric) != null) {
                double y = full.metric(metric);
                series.add(new Series("full", List.of(new Point(0, y), new Point(1, y)), true));
            }
            if (series.isEmpty()) continue;
            String title = metric + " vs compression ratio";
            Axis x = Axis.linear("compression ratio (1 − bytes held / full f32 cache)", Report::pct0).bounds(0.0, 1.0);
            // KL divergences span orders of magnitude: log scale (the full cache's 0 is not drawn)
            boolean log = metric.startsWith("kl_") && series.stream().flatMap(s -> s.points().stream()).anyMatch(p -> p.y() > 0);
            if (log) {
                title += " (log scale)";
                series.removeIf(Series::reference);
            }
            Axis y = FRACTIONS.contains(metric) ? Axis.linear(metric, Report::pct0) : log ? Axis.log10(metric) : Axis.linear(metric);
            out.add(write(dir, written, g.slug() + "-" + slug(metric) + "-vs-ratio.svg", title, SvgChart.line(title, x, y, series)));
            if (log) continue;
            // One bad policy can squash the others against an axis: then a second chart zoomed to the others.
            Zoom zoom = zoom(series);
            if (zoom != null) {
                String zt = metric + " vs compression ratio (zoom, without " + String.join(", ", zoom.without()) + ")";
                out.add(write(dir, written, g.slug() + "-" + slug(metric) + "-vs-ratio-zoom.svg", zt,
                        SvgChart.line(zt, x, y.bounds(zoom.lo(), zoom.hi()), series)));
            }
        }
        // 1b. the main metric against the bytes held: one axis for eviction and codecs alike
        String main = g.first().headline().isEmpty() ? null : g.first().headline().getFirst();
        if (main != null) {
            List<Series> series = new ArrayList<>();
            for (String base : bases) {
                List<Point> pts = new ArrayList<>();
                for (CellResult c : cells) {
                    if (c.baseSpec().equals(base) && c.metric(main) != null) pts.add(new Point(c.kv().bytes() / 1024.0, c.metric(main)));
                }
                pts.sort(Comparator.comparingDouble(Point::x));
                if (!pts.isEmpty()) series.add(new Series(base, pts));
            }
            if (full != null && full.metric(main) != null) {
                series.add(new Series("full", List.of(new Point(full.kv().bytes() / 1024.0, full.metric(main))), true));
            }
            if (!series.isEmpty()) {
                String title = main + " vs KV bytes held";
                Axis y = FRACTIONS.contains(main) ? Axis.linear(main, Report::pct0) : Axis.linear(main);
                Zoom zoom = zoom(series);
                if (zoom != null) {
                    title += " (zoom, without " + String.join(", ", zoom.without()) + ")";
                    y = y.bounds(zoom.lo(), zoom.hi());
                }
                out.add(write(dir, written, g.slug() + "-" + slug(main) + "-vs-kv-bytes.svg", title,
                        SvgChart.line(title, Axis.linear("KV cache held (KiB)").bounds(0.0, null), y, series)));
            }
        }
        // 1c. per method family: the main metric against the budget, and against the bytes held
        if (main != null) out.addAll(FamilyCharts.write(g, main, dir, written));
        // 2. KV bytes against the budget (or the ratio)
        for (boolean byBudget : new boolean[] {true, false}) {
            List<Series> series = new ArrayList<>();
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (String base : bases) {
                List<Point> pts = new ArrayList<>();
                for (CellResult c : cells) {
                    if (!c.baseSpec().equals(base)) continue;
                    Double x = byBudget ? (c.budget() == null ? null : c.budget().doubleValue()) : c.ratio();
                    if (x == null) continue;
                    pts.add(new Point(x, c.kv().bytes() / 1024.0));
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
                pts.sort(Comparator.comparingDouble(Point::x));
                if (!pts.isEmpty()) series.add(new Series(base, pts));
            }
            if (series.isEmpty()) continue;
            if (full != null) {
                double y = full.kv().bytes() / 1024.0;
                series.add(new Series("full", List.of(new Point(lo, y), new Point(hi, y)), true));
            }
            boolean log = byBudget && lo > 0 && hi / lo >= 4;
            String title = "KV bytes vs " + (byBudget ? "budget" : "ratio");
            Axis x = byBudget ? (log ? Axis.log2("budget (entries per KV head)", Report::integer)
                    : Axis.linear("budget (entries per KV head)", Report::integer))
                    : Axis.linear("ratio (fraction of entries removed)", Report::pct0);
            out.add(write(dir, written, g.slug() + "-kv-bytes-vs-" + (byBudget ? "budget" : "ratio") + ".svg", title,
                    SvgChart.line(title, x, Axis.linear("KV cache held (KiB)"), series)));
        }
        // 3. decode speed against the context length, at the tightest setting
        List<CellResult> tight = tightest(cells);
        List<Series> speed = new ArrayList<>();
        for (CellResult c : tight) speed.add(new Series(c.spec(), contextPoints(c), false));
        if (full != null) speed.add(new Series("full", contextPoints(full), true));
        if (speed.stream().anyMatch(s -> !s.points().isEmpty())) {
            String setting = tight.isEmpty() ? "" : " (" + tight.getFirst().setting() + ")";
            String title = "decode tok/s vs context length" + setting;
            out.add(write(dir, written, g.slug() + "-decode-vs-context.svg", title, SvgChart.line(title,
                    Axis.log2("context length (tokens, bucket start)", Report::integer),
                    Axis.linear("decode tokens/s"), speed)));
        }
        // 4. perplexity per segment
        if (g.first().task().equals("ppl")) {
            List<Series> seg = new ArrayList<>();
            for (CellResult c : tight) seg.add(new Series(c.spec(), segmentPoints(c), false));
            if (full != null) seg.add(new Series("full", segmentPoints(full), true));
            if (seg.stream().anyMatch(s -> !s.points().isEmpty())) {
                String title = "perplexity per segment";
                out.add(write(dir, written, g.slug() + "-ppl-segments.svg", title, SvgChart.line(title,
                        Axis.linear("tokens (segment end)"), Axis.linear("perplexity"), seg)));
            }
        }
        // 5. needle heat maps
        if (g.first().task().equals("needle")) {
            int k = 1;
            for (CellResult c : cells) {
                Chart h = heatMap(c, dir, written, g.slug() + "-heat-" + (k++) + "-" + slug(c.spec()) + ".svg");
                if (h != null) out.add(h);
            }
        }
        return out;
    }

    /** A zoomed y range and the series it leaves out. */
    record Zoom(double lo, double hi, List<String> without) {
    }

    /**
     * When some series lie far from the others (their median more than 10 median absolute
     * deviations of the series' medians away from the median of medians, and outside the
     * others' range), the y range of the others and the reference, padded by 5 %; else null.
     */
    static Zoom zoom(List<Series> series) {
        List<Series> data = series.stream().filter(x -> !x.reference() && !x.points().isEmpty()).toList();
        if (data.size() < 4) return null;
        double[] medians = new double[data.size()];
        for (int i = 0; i < medians.length; i++) {
            medians[i] = Metrics.percentile(data.get(i).points().stream().mapToDouble(Point::y).toArray(), 50);
        }
        double m = Metrics.percentile(medians, 50);
        double[] spread = new double[medians.length];
        for (int i = 0; i < spread.length; i++) spread[i] = Math.abs(medians[i] - m);
        double mad = Metrics.percentile(spread, 50);
        if (mad <= 0) return null;
        List<String> out = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < data.size(); i++) {
            if (spread[i] > 10 * mad) {
                out.add(data.get(i).name());
                continue;
            }
            for (Point p : data.get(i).points()) {
                lo = Math.min(lo, p.y());
                hi = Math.max(hi, p.y());
            }
        }
        for (Series x : series) {
            if (x.reference()) for (Point p : x.points()) {
                lo = Math.min(lo, p.y());
                hi = Math.max(hi, p.y());
            }
        }
        if (out.isEmpty() || !(hi > lo)) return null;
        double pad = (hi - lo) * 0.05;
        return new Zoom(lo - pad, hi + pad, out);
    }

    /** The cells at the tightest setting (smallest budget, else largest ratio), full excluded. */
    static List<CellResult> tightest(List<CellResult> cells) {
        Integer minBudget = cells.stream().map(CellResult::budget).filter(java.util.Objects::nonNull).min(Integer::compare).orElse(null);
        if (minBudget != null) return cells.stream().filter(c -> minBudget.equals(c.budget())).toList();
        Double maxRatio = cells.stream().map(CellResult::ratio).filter(java.util.Objects::nonNull).max(Double::compare).orElse(null);
        if (maxRatio != null) return cells.stream().filter(c -> maxRatio.equals(c.ratio())).toList();
        return cells.stream().filter(c -> !c.spec().equals("full")).toList();
    }

    private static List<Point> contextPoints(CellResult c) {
        List<Point> pts = new ArrayList<>();
        if (c.speed() == null || c.speed().decodeByContext() == null) return pts;
        c.speed().decodeByContext().forEach((k, v) -> pts.add(new Point(Math.max(32, Integer.parseInt(k)), v)));
        pts.sort(Comparator.comparingDouble(Point::x));
        return pts;
    }

    private static List<Point> segmentPoints(CellResult c) {
        List<Point> pts = new ArrayList<>();
        if (c.details() == null || !(c.details().get("segments") instanceof List<?> segs)) return pts;
        int seg = c.details().get("segment") instanceof Number n ? n.intValue() : 1;
        for (int i = 0; i < segs.size(); i++) {
            if (segs.get(i) instanceof Number v) pts.add(new Point((i + 1.0) * seg, v.doubleValue()));
        }
        return pts;
    }

    private static Chart heatMap(CellResult c, Path dir, List<Path> written, String file) throws IOException {
        if (c.details() == null || !(c.details().get("grid") instanceof List<?> grid)) return null;
        List<Object> lengths = new ArrayList<>(), depths = new ArrayList<>();
        for (Object o : grid) {
            if (!(o instanceof Map<?, ?> e)) continue;
            if (!lengths.contains(e.get("length"))) lengths.add(e.get("length"));
            if (!depths.contains(e.get("depth"))) depths.add(e.get("depth"));
        }
        if (lengths.isEmpty()) return null;
        Double[][] v = new Double[depths.size()][lengths.size()];
        for (Object o : grid) {
            if (!(o instanceof Map<?, ?> e)) continue;
            Object a = e.get("accuracy");
            v[depths.indexOf(e.get("depth"))][lengths.indexOf(e.get("length"))] = a instanceof Number n ? n.doubleValue() : null;
        }
        String title = "needle accuracy — " + c.spec();
        return write(dir, written, file, title, SvgChart.heatMap(title, "prompt length (tokens)", "needle depth",
                lengths.stream().map(String::valueOf).toList(),
                depths.stream().map(d -> pct0(((Number) d).doubleValue())).toList(), v, 0, 1, Report::pct0));
    }

    static Chart write(Path dir, List<Path> written, String file, String title, String svg) throws IOException {
        Path p = dir.resolve("charts").resolve(file);
        Files.writeString(p, svg, StandardCharsets.UTF_8);
        written.add(p);
        return new Chart("charts/" + file, title);
    }

    // ---------------------------------------------------------------- tables

    /** The metric names of a group, headline first. */
    static List<String> metricNames(Group g) {
        Set<String> names = new LinkedHashSet<>(g.first().headline());
        for (CellResult c : g.cells()) if (c.metrics() != null) names.addAll(c.metrics().keySet());
        List<String> list = new ArrayList<>(names);
        // identical generations have no first_divergence ("never"): keep its column when every cell is identical
        int identical = list.indexOf("gen_identical");
        if (identical >= 0 && !list.contains("first_divergence")) list.add(identical, "first_divergence");
        return list;
    }

    static List<String> header(Group g) {
        List<String> h = new ArrayList<>(List.of("spec", "budget / ratio"));
        h.addAll(metricNames(g));
        h.addAll(List.of("KV bytes", "peak entries/head", "entries/head", "compression (bytes)", "compression (entries)",
                "prefill tok/s", "decode tok/s", "wall s"));
        return h;
    }

    static List<String> row(Group g, CellResult c) {
        List<String> r = new ArrayList<>(List.of(c.spec(), c.setting()));
        for (String m : metricNames(g)) r.add(c.metric(m) == null ? missingMetric(m, c) : metricValue(m, c.metric(m)));
        r.add(bytes(c.kv().bytes()));
        r.add(String.valueOf(c.kv().peakEntries()));
        r.add(String.format(Locale.ROOT, "%.1f", c.kv().entriesPerHead()));
        r.add(c.kv().byteCompressionRatio() == null ? "–" : pct1(c.kv().byteCompressionRatio()));
        r.add(pct1(c.kv().compressionRatio()));
        r.add(c.speed().prefillTokens() == 0 ? "–" : String.format(Locale.ROOT, "%.0f", c.speed().prefillTokensPerSecond()));
        r.add(String.format(Locale.ROOT, "%.0f", c.speed().decodeTokensPerSecond()));
        r.add(String.format(Locale.ROOT, "%.2f", c.speed().wallSeconds()));
        return r;
    }

    /** A metric without a value: {@code first_divergence} of identical generations is "never", others "–". */
    static String missingMetric(String metric, CellResult c) {
        boolean identical = Double.valueOf(1.0).equals(c.metric("gen_identical"));
        return metric.equals("first_divergence") && identical ? "never" : "–";
    }

    private static String html(List<Group> groups, Map<Group, List<Chart>> charts) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>Winnow evaluation report</title>\n<style>\n")
                .append("body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#222;max-width:1600px}\n")
                .append("h1{font-size:24px}h2{font-size:19px;margin-top:36px;border-bottom:1px solid #ccc;padding-bottom:4px}\n")
                .append("table{border-collapse:collapse;font-size:12px;margin:12px 0}\n")
                .append("th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}th{background:#f2f2f2}\n")
                .append("td:first-child,th:first-child,td:nth-child(2){text-align:left;font-family:monospace}\n")
                .append(".charts{display:flex;flex-wrap:wrap;gap:12px}.charts img{border:1px solid #ddd;width:570px;height:330px}\n")
                .append(".scroll{overflow-x:auto}.meta td{text-align:left}.small{color:#666;font-size:12px}\n</style></head><body>\n");
        sb.append("<h1>Winnow evaluation report</h1>\n");
        Set<String> versions = new TreeSet<>(), times = new TreeSet<>();
        for (Group g : groups) {
            for (CellResult c : g.cells()) {
                versions.add(c.winnow());
                if (c.time() != null) times.add(c.time());
            }
        }
        sb.append("<p class='small'>").append(groups.stream().mapToInt(g -> g.cells().size()).sum()).append(" cells · Winnow ")
                .append(esc(String.join(", ", versions)));
        if (!times.isEmpty()) sb.append(" · computed ").append(esc(((TreeSet<String>) times).first())).append(" – ").append(esc(((TreeSet<String>) times).last()));
        sb.append(" · <a href='results.csv'>results.csv</a> · <a href='results.md'>results.md</a></p>\n");
        sb.append("<ul>\n");
        for (Group g : groups) sb.append("<li><a href='#").append(g.slug()).append("'>").append(esc(g.title())).append("</a></li>\n");
        sb.append("</ul>\n");
        for (Group g : groups) {
            CellResult f = g.first();
            sb.append("<h2 id='").append(g.slug()).append("'>").append(esc(g.title())).append("</h2>\n");
            sb.append("<table class='meta'><tr><td>model</td><td>").append(esc(f.model().name())).append(" — ")
                    .append(esc(f.model().file())).append(", sha256 <code>").append(esc(f.model().sha256())).append("</code></td></tr>\n");
            sb.append("<tr><td>task</td><td>").append(esc(f.task())).append(" <code>").append(esc(json(f.taskParams())))
                    .append("</code></td></tr>\n");
            sb.append("<tr><td>run</td><td>seed ").append(f.seed()).append(", batch ").append(f.batch()).append(", ")
                    .append(f.threads()).append(" threads</td></tr></table>\n");
            sb.append("<div class='charts'>\n");
            for (Chart c : charts.get(g)) {
                sb.append("<img src='").append(esc(c.file())).append("' alt='").append(esc(c.title())).append("'>\n");
            }
            sb.append("</div>\n<div class='scroll'><table>\n<tr>");
            for (String h : header(g)) sb.append("<th>").append(esc(h)).append("</th>");
            sb.append("</tr>\n");
            for (CellResult c : g.cells()) {
                sb.append("<tr>");
                for (String v : row(g, c)) sb.append("<td>").append(esc(v)).append("</td>");
                sb.append("</tr>\n");
            }
            sb.append("</table></div>\n");
        }
        sb.append("<p class='small'>Compression (bytes): 1 − bytes held / bytes a full f32 cache (with its per-entry positions "
                + "and statistics) would hold for the same positions; compression (entries): 1 − entries held / entries a full cache "
                + "would hold; both measured at the end of each sequence (mean). First divergence: the first generated token "
                + "that differs from the full cache's generation, \"never\" when the two are identical. KV bytes: the most the cache held at the end of a sequence. Decode tok/s: single-token "
                + "steps (teacher-forced or generated). Fractions are shown as percentages.</p>\n");
        sb.append("</body></html>\n");
        return sb.toString();
    }

    /** The results as Markdown tables, one per model and task (what {@code results.md} holds, without the charts). */
    public static String markdown(List<CellResult> results) {
        String md = markdown(groups(results), Map.of());
        return md.substring(md.indexOf('\n') + 1).stripLeading();
    }

    private static String markdown(List<Group> groups, Map<Group, List<Chart>> charts) {
        StringBuilder sb = new StringBuilder("# Winnow evaluation report\n");
        for (Group g : groups) {
            CellResult f = g.first();
            sb.append("\n## ").append(g.title()).append("\n\n");
            sb.append("Model sha256 `").append(f.model().sha256()).append("`; task parameters `").append(json(f.taskParams()))
                    .append("`; seed ").append(f.seed()).append(", batch ").append(f.batch()).append(", ").append(f.threads())
                    .append(" threads.\n\n");
            List<String> h = header(g);
            sb.append("| ").append(String.join(" | ", h)).append(" |\n|");
            for (int i = 0; i < h.size(); i++) sb.append(i < 2 ? "---|" : "---:|");
            sb.append('\n');
            for (CellResult c : g.cells()) {
                List<String> r = row(g, c);
                r.set(0, "`" + r.get(0) + "`");
                sb.append("| ").append(String.join(" | ", r.stream().map(s -> s.replace("|", "\\|")).toList())).append(" |\n");
            }
            sb.append('\n');
            for (Chart c : charts.getOrDefault(g, List.of())) sb.append("![").append(c.title()).append("](").append(c.file()).append(")\n");
        }
        return sb.toString();
    }

    private static String csv(List<CellResult> results) {
        Set<String> metrics = new LinkedHashSet<>();
        for (CellResult r : results) if (r.metrics() != null) metrics.addAll(r.metrics().keySet());
        List<String> head = new ArrayList<>(List.of("model", "model_file", "model_sha256", "task", "task_params", "spec", "base_spec",
                "policy", "budget", "ratio", "seed", "batch", "threads"));
        head.addAll(metrics);
        head.addAll(List.of("kv_bytes", "kv_bytes_allocated", "peak_entries", "entries_per_head", "compression_ratio",
                "byte_compression_ratio",
                "prefill_tok_s", "decode_tok_s", "wall_s", "winnow", "time", "cell"));
        StringBuilder sb = new StringBuilder(String.join(",", head)).append('\n');
        for (CellResult r : results) {
            List<String> v = new ArrayList<>(List.of(r.model().name(), r.model().file(), r.model().sha256(), r.task(),
                    json(r.taskParams()), r.spec(), r.baseSpec(), r.policy(), r.budget() == null ? "" : r.budget().toString(),
                    r.ratio() == null ? "" : r.ratio().toString(), String.valueOf(r.seed()), String.valueOf(r.batch()),
                    String.valueOf(r.threads())));
            for (String m : metrics) v.add(r.metric(m) == null ? "" : String.valueOf(r.metric(m)));
            v.addAll(List.of(String.valueOf(r.kv().bytes()), String.valueOf(r.kv().bytesAllocated()),
                    String.valueOf(r.kv().peakEntries()), String.valueOf(r.kv().entriesPerHead()),
                    String.valueOf(r.kv().compressionRatio()),
                    r.kv().byteCompressionRatio() == null ? "" : String.valueOf(r.kv().byteCompressionRatio()),
                    String.valueOf(r.speed().prefillTokensPerSecond()),
                    String.valueOf(r.speed().decodeTokensPerSecond()), String.valueOf(r.speed().wallSeconds()),
                    String.valueOf(r.winnow()), String.valueOf(r.time()), r.cell()));
            sb.append(String.join(",", v.stream().map(Report::csvCell).toList())).append('\n');
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- formatting

    static String metricValue(String metric, double v) {
        if (FRACTIONS.contains(metric)) return pct1(v);
        if (COUNTS.contains(metric)) return String.format(Locale.ROOT, "%.0f", v);
        return compact(v);
    }

    /** Four significant digits, plain notation when reasonable. */
    static String compact(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e6 || a < 1e-4) return String.format(Locale.ROOT, "%.3g", v);
        if (a >= 1000) return String.format(Locale.ROOT, "%.0f", v);
        if (a >= 100) return String.format(Locale.ROOT, "%.1f", v);
        if (a >= 10) return String.format(Locale.ROOT, "%.2f", v);
        if (a >= 1) return String.format(Locale.ROOT, "%.3f", v);
        return String.format(Locale.ROOT, "%.4f", v);
    }

    static String pct0(double v) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * v);
    }

    static String pct1(double v) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    static String integer(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    static String bytes(long b) {
        if (b < 1024) return b + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    private static String csvCell(String s) {
        if (s == null) return "";
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) return "\"" + s.replace("\"", "\"\"") + "\"";
        return s;
    }

    static String slug(String s) {
        String t = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return t.isEmpty() ? "x" : t.length() > 60 ? t.substring(0, 60) : t;
    }

    private static String esc(String s) {
        return SvgChart.esc(s);
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
