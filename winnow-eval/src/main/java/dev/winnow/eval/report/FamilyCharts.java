package dev.winnow.eval.report;

import dev.winnow.eval.report.Report.Chart;
import dev.winnow.eval.report.Report.Group;
import dev.winnow.eval.report.SvgChart.Axis;
import dev.winnow.eval.report.SvgChart.Point;
import dev.winnow.eval.report.SvgChart.Series;
import dev.winnow.eval.sweep.CellResult;
import dev.winnow.eval.sweep.MethodFamily;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One pair of charts per {@link MethodFamily} present in a group (eviction, quantization / mixed
 * precision, merging, sparse attention): the main metric against the budget (one line per base
 * spec; cells without a budget — codec-only specs, ratios — are not on this axis) and beside it
 * the main metric against the KV bytes held, where every cell of the family is a point (a
 * codec-only spec is one point). The full cache is the dashed reference in both. A spec whose
 * family is unknown is an error ({@link MethodFamily#of}), never left out.
 */
final class FamilyCharts {
    private FamilyCharts() {
    }

    static List<Chart> write(Group g, String metric, Path dir, List<Path> written) throws IOException {
        CellResult full = g.cells().stream().filter(c -> c.spec().equals("full")).findFirst().orElse(null);
        Map<MethodFamily, List<CellResult>> byFamily = new LinkedHashMap<>();
        for (MethodFamily f : MethodFamily.values()) byFamily.put(f, new ArrayList<>());
        for (CellResult c : g.cells()) {
            if (!c.spec().equals("full") && c.metric(metric) != null) byFamily.get(MethodFamily.of(c.spec())).add(c);
        }
        Axis y = Report.FRACTIONS.contains(metric) ? Axis.linear(metric, Report::pct0) : Axis.linear(metric);
        List<Chart> out = new ArrayList<>();
        for (var e : byFamily.entrySet()) {
            List<CellResult> cells = e.getValue();
            if (cells.isEmpty()) continue;
            String family = e.getKey().label(), slug = e.getKey().name().toLowerCase(java.util.Locale.ROOT);
            List<CellResult> budgeted = cells.stream().filter(c -> c.budget() != null).toList();
            if (!budgeted.isEmpty()) {
                List<Series> series = series(budgeted, metric, c -> c.budget().doubleValue());
                double lo = budgeted.stream().mapToInt(CellResult::budget).min().orElseThrow();
                double hi = budgeted.stream().mapToInt(CellResult::budget).max().orElseThrow();
                if (full != null && full.metric(metric) != null) {
                    series.add(new Series("full", List.of(new Point(lo, full.metric(metric)), new Point(hi, full.metric(metric))), true));
                }
                String title = metric + " vs budget — " + family;
                Axis x = hi / lo >= 4 ? Axis.log2("budget (entries per KV head)", Report::integer)
                        : Axis.linear("budget (entries per KV head)", Report::integer);
                out.add(Report.write(dir, written, g.slug() + "-" + Report.slug(metric) + "-vs-budget-" + slug + ".svg", title,
                        SvgChart.line(title, x, y, series)));
            }
            List<Series> series = series(cells, metric, c -> c.kv().bytes() / 1024.0);
            if (full != null && full.metric(metric) != null) {
                series.add(new Series("full", List.of(new Point(full.kv().bytes() / 1024.0, full.metric(metric))), true));
            }
            String title = metric + " vs KV bytes held — " + family;
            out.add(Report.write(dir, written, g.slug() + "-" + Report.slug(metric) + "-vs-kv-bytes-" + slug + ".svg", title,
                    SvgChart.line(title, Axis.linear("KV cache held (KiB)").bounds(0.0, null), y, series)));
        }
        return out;
    }

    /** One series per base spec (in first-seen order), points sorted by x. */
    private static List<Series> series(List<CellResult> cells, String metric, Function<CellResult, Double> x) {
        List<Series> out = new ArrayList<>();
        for (String base : new LinkedHashSet<>(cells.stream().map(CellResult::baseSpec).toList())) {
            List<Point> pts = new ArrayList<>();
            for (CellResult c : cells) if (c.baseSpec().equals(base)) pts.add(new Point(x.apply(c), c.metric(metric)));
            pts.sort(Comparator.comparingDouble(Point::x));
            out.add(new Series(base, pts));
        }
        return out;
    }
}
