package dev.winnow.eval.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * Hand-written SVG charts (no dependency, no script, no external resource): line charts with
 * markers and a legend, on linear or log2 axes, and heat maps. The output is a standalone SVG
 * document that browsers render as an image.
 */
public final class SvgChart {
    static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
        "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
        "#e6550d", "#31a354", "#756bb1"};
    private static final int W = 760, H = 440;
    private static final int LEFT = 78, RIGHT = W - 210, TOP = 42, BOTTOM = H - 56;

    private SvgChart() {
    }

    public record Point(double x, double y) {
    }

    /** A line; {@code reference} lines are drawn dashed and grey-free (e.g. the full cache). */
    public record Series(String name, List<Point> points, boolean reference) {
        public Series(String name, List<Point> points) {
            this(name, points, false);
        }
    }

    public enum Scale { LINEAR, LOG2, LOG10 }

    /**
     * An axis: scale, label, tick formatter (null: plain numbers with as many decimals as the
     * tick step needs), and optional fixed bounds (null: from the data).
     */
    public record Axis(String label, Scale scale, DoubleFunction<String> format, Double min, Double max) {
        public static Axis linear(String label, DoubleFunction<String> format) {
            return new Axis(label, Scale.LINEAR, format, null, null);
        }

        public static Axis linear(String label) {
            return new Axis(label, Scale.LINEAR, null, null, null);
        }

        public static Axis log2(String label, DoubleFunction<String> format) {
            return new Axis(label, Scale.LOG2, format, null, null);
        }

        public static Axis log10(String label) {
            return new Axis(label, Scale.LOG10, v -> String.format(Locale.ROOT, "%.0e", v).replace("e+0", "e").replace("e-0", "e-")
                    .replace("e+", "e"), null, null);
        }

        public Axis bounds(Double lo, Double hi) {
            return new Axis(label, scale, format, lo, hi);
        }
    }

    /** A line chart of the series (points with non-finite values are left out). */
    public static String line(String title, Axis xAxis, Axis yAxis, List<Series> series) {
        double xmin = Double.POSITIVE_INFINITY, xmax = Double.NEGATIVE_INFINITY;
        double ymin = Double.POSITIVE_INFINITY, ymax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (Point p : s.points()) {
                if (!usable(p, xAxis, yAxis)) continue;
                xmin = Math.min(xmin, p.x());
                xmax = Math.max(xmax, p.x());
                ymin = Math.min(ymin, p.y());
                ymax = Math.max(ymax, p.y());
            }
        }
        if (xmin > xmax) { // no data
            xmin = 0;
            xmax = 1;
            ymin = 0;
            ymax = 1;
        }
        Range xr = range(xAxis, xmin, xmax), yr = range(yAxis, ymin, ymax);
        StringBuilder sb = header(title);
        // grid and ticks
        DoubleFunction<String> xf = xAxis.format() != null ? xAxis.format() : auto(xr.step());
        DoubleFunction<String> yf = yAxis.format() != null ? yAxis.format() : auto(yr.step());
        for (double t : xr.ticks) {
            double px = xr.map(t, LEFT, RIGHT);
            sb.append(f("<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#e5e5e5'/>", px, TOP, px, BOTTOM));
            sb.append(f("<text x='%.1f' y='%d' text-anchor='middle' font-size='11' fill='#333'>%s</text>", px, BOTTOM + 16,
                    esc(xf.apply(t))));
        }
        for (double t : yr.ticks) {
            double py = yr.map(t, BOTTOM, TOP);
            sb.append(f("<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#e5e5e5'/>", LEFT, py, RIGHT, py));
            sb.append(f("<text x='%d' y='%.1f' text-anchor='end' font-size='11' fill='#333'>%s</text>", LEFT - 6, py + 4,
                    esc(yf.apply(t))));
        }
        sb.append(f("<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#444'/>", LEFT, TOP, RIGHT - LEFT, BOTTOM - TOP));
        sb.append(f("<text x='%d' y='%d' text-anchor='middle' font-size='12'>%s</text>", (LEFT + RIGHT) / 2, H - 16, esc(xAxis.label())));
        sb.append(f("<text x='18' y='%d' text-anchor='middle' font-size='12' transform='rotate(-90 18 %d)'>%s</text>",
                (TOP + BOTTOM) / 2, (TOP + BOTTOM) / 2, esc(yAxis.label())));
        // series
        sb.append(f("<svg x='%d' y='%d' width='%d' height='%d' viewBox='%d %d %d %d' overflow='hidden'>", LEFT - 6, TOP - 6,
                RIGHT - LEFT + 12, BOTTOM - TOP + 12, LEFT - 6, TOP - 6, RIGHT - LEFT + 12, BOTTOM - TOP + 12));
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String color = s.reference() ? "#000000" : COLORS[i % COLORS.length];
            List<double[]> pts = new ArrayList<>();
            for (Point p : s.points()) {
                if (usable(p, xAxis, yAxis)) pts.add(new double[] {xr.map(p.x(), LEFT, RIGHT), yr.map(p.y(), BOTTOM, TOP)});
            }
            if (pts.size() > 1) {
                StringBuilder d = new StringBuilder();
                for (double[] p : pts) d.append(f("%.1f,%.1f ", p[0], p[1]));
                sb.append(f("<polyline points='%s' fill='none' stroke='%s' stroke-width='%s'%s/>", d.toString().strip(), color,
                        s.reference() ? "1.5" : "2", dash(i, s.reference())));
            }
            if (!s.reference() || pts.size() == 1) for (double[] p : pts) sb.append(marker(i, p[0], p[1], color));
        }
        sb.append("</svg>");
        legend(sb, series);
        return sb.append("</svg>\n").toString();
    }

    /**
     * A heat map: {@code values[row][col]} in [lo, hi] (null: no data), rows labelled on the
     * left, columns below; each cell shows its value.
     */
    public static String heatMap(String title, String xLabel, String yLabel, List<String> cols, List<String> rows,
                                 Double[][] values, double lo, double hi, DoubleFunction<String> format) {
        StringBuilder sb = header(title);
        int left = 78, right = W - 120, top = TOP, bottom = BOTTOM;
        double cw = (double) (right - left) / Math.max(1, cols.size()), ch = (double) (bottom - top) / Math.max(1, rows.size());
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < cols.size(); c++) {
                Double v = values[r][c];
                double x = left + c * cw, y = top + r * ch;
                String fill = v == null ? "#eeeeee" : heat((v - lo) / (hi - lo));
                sb.append(f("<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s' stroke='#ffffff'/>", x, y, cw, ch, fill));
                String label = v == null ? "–" : format.apply(v);
                double t = v == null ? 0.5 : (v - lo) / (hi - lo);
                sb.append(f("<text x='%.1f' y='%.1f' text-anchor='middle' font-size='12' fill='%s'>%s</text>", x + cw / 2,
                        y + ch / 2 + 4, t < 0.35 ? "#ffffff" : "#000000", esc(label)));
            }
        }
        for (int c = 0; c < cols.size(); c++) {
            sb.append(f("<text x='%.1f' y='%d' text-anchor='middle' font-size='11'>%s</text>", left + (c + 0.5) * cw, bottom + 16,
                    esc(cols.get(c))));
        }
        for (int r = 0; r < rows.size(); r++) {
            sb.append(f("<text x='%d' y='%.1f' text-anchor='end' font-size='11'>%s</text>", left - 6, top + (r + 0.5) * ch + 4,
                    esc(rows.get(r))));
        }
        sb.append(f("<text x='%d' y='%d' text-anchor='middle' font-size='12'>%s</text>", (left + right) / 2, H - 16, esc(xLabel)));
        sb.append(f("<text x='18' y='%d' text-anchor='middle' font-size='12' transform='rotate(-90 18 %d)'>%s</text>",
                (top + bottom) / 2, (top + bottom) / 2, esc(yLabel)));
        // colour bar
        int bx = right + 30, bw = 18;
        for (int k = 0; k < 20; k++) {
            double t0 = 1 - k / 20.0;
            sb.append(f("<rect x='%d' y='%.1f' width='%d' height='%.1f' fill='%s'/>", bx, top + k * (bottom - top) / 20.0, bw,
                    (bottom - top) / 20.0 + 0.5, heat(t0)));
        }
        sb.append(f("<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#444'/>", bx, top, bw, bottom - top));
        sb.append(f("<text x='%d' y='%d' font-size='11'>%s</text>", bx + bw + 4, top + 10, esc(format.apply(hi))));
        sb.append(f("<text x='%d' y='%d' font-size='11'>%s</text>", bx + bw + 4, bottom, esc(format.apply(lo))));
        return sb.append("</svg>\n").toString();
    }

    /** Red (0) → yellow (0.5) → green (1). */
    static String heat(double t) {
        double x = Math.max(0, Math.min(1, Double.isFinite(t) ? t : 0));
        int r, g, b;
        if (x < 0.5) {
            double u = x / 0.5;
            r = (int) Math.round(215 + (254 - 215) * u);
            g = (int) Math.round(48 + (224 - 48) * u);
            b = (int) Math.round(39 + (139 - 39) * u);
        } else {
            double u = (x - 0.5) / 0.5;
            r = (int) Math.round(254 + (26 - 254) * u);
            g = (int) Math.round(224 + (152 - 224) * u);
            b = (int) Math.round(139 + (80 - 139) * u);
        }
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
    }

    private static boolean usable(Point p, Axis x, Axis y) {
        if (!Double.isFinite(p.x()) || !Double.isFinite(p.y())) return false;
        if (x.scale() != Scale.LINEAR && p.x() <= 0) return false;
        return y.scale() == Scale.LINEAR || p.y() > 0;
    }

    private static StringBuilder header(String title) {
        StringBuilder sb = new StringBuilder();
        sb.append(f("<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' viewBox='0 0 %d %d' "
                + "font-family='Helvetica, Arial, sans-serif'>", W, H, W, H));
        sb.append(f("<rect width='%d' height='%d' fill='#ffffff'/>", W, H));
        sb.append(f("<text x='%d' y='24' font-size='15' font-weight='bold'>%s</text>", LEFT, esc(title)));
        return sb;
    }

    private static void legend(StringBuilder sb, List<Series> series) {
        int x = RIGHT + 14, y = TOP + 4;
        int rows = Math.max(1, (BOTTOM - TOP) / 16);
        for (int i = 0; i < series.size() && i < rows; i++) {
            Series s = series.get(i);
            String color = s.reference() ? "#000000" : COLORS[i % COLORS.length];
            int cy = y + i * 16;
            sb.append(f("<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' stroke-width='2'%s/>", x, cy, x + 22, cy, color,
                    dash(i, s.reference())));
            if (!s.reference()) sb.append(marker(i, x + 11, cy, color));
            String name = s.name().length() > 30 ? s.name().substring(0, 29) + "…" : s.name();
            sb.append(f("<text x='%d' y='%d' font-size='11'>%s</text>", x + 28, cy + 4, esc(name)));
        }
        if (series.size() > rows) {
            sb.append(f("<text x='%d' y='%d' font-size='11'>… %d more</text>", x, y + rows * 16, series.size() - rows));
        }
    }

    private static String dash(int i, boolean reference) {
        if (reference) return " stroke-dasharray='6,4'";
        return i >= COLORS.length / 2 ? " stroke-dasharray='7,3'" : "";
    }

    private static String marker(int i, double x, double y, String color) {
        return switch (i % 6) {
            case 0 -> f("<circle cx='%.1f' cy='%.1f' r='3.5' fill='%s'/>", x, y, color);
            case 1 -> f("<rect x='%.1f' y='%.1f' width='7' height='7' fill='%s'/>", x - 3.5, y - 3.5, color);
            case 2 -> f("<polygon points='%.1f,%.1f %.1f,%.1f %.1f,%.1f' fill='%s'/>", x, y - 4.5, x - 4, y + 3.5, x + 4, y + 3.5, color);
            case 3 -> f("<polygon points='%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f' fill='%s'/>", x, y - 4.5, x + 4.5, y, x, y + 4.5,
                    x - 4.5, y, color);
            case 4 -> f("<circle cx='%.1f' cy='%.1f' r='3.5' fill='#ffffff' stroke='%s' stroke-width='1.8'/>", x, y, color);
            default -> f("<rect x='%.1f' y='%.1f' width='7' height='7' fill='#ffffff' stroke='%s' stroke-width='1.8'/>", x - 3.5,
                    y - 3.5, color);
        };
    }

    /** A data range with its ticks and the mapping to pixels. */
    private record Range(double lo, double hi, List<Double> ticks, boolean log, double step) {
        double map(double v, double p0, double p1) {
            double t = log ? (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : (v - lo) / (hi - lo);
            return p0 + t * (p1 - p0);
        }
    }

    private static double log2(double v) {
        return Math.log(v) / Math.log(2);
    }

    private static Range range(Axis axis, double min, double max) {
        if (axis.scale() == Scale.LOG10) {
            double lo = axis.min() != null ? axis.min() : Math.pow(10, Math.floor(Math.log10(min)));
            double hi = axis.max() != null ? axis.max() : Math.pow(10, Math.ceil(Math.log10(max)));
            if (hi <= lo) hi = lo * 10;
            List<Double> ticks = new ArrayList<>();
            for (int k = (int) Math.ceil(Math.log10(lo) - 1e-9); k <= (int) Math.floor(Math.log10(hi) + 1e-9); k++) ticks.add(Math.pow(10, k));
            return new Range(lo, hi, ticks, true, 1);
        }
        if (axis.scale() == Scale.LOG2) {
            double lo = axis.min() != null ? axis.min() : Math.pow(2, Math.floor(log2(min)));
            double hi = axis.max() != null ? axis.max() : Math.pow(2, Math.ceil(log2(max)));
            if (hi <= lo) hi = lo * 2;
            List<Double> ticks = new ArrayList<>();
            int k0 = (int) Math.ceil(log2(lo) - 1e-9), k1 = (int) Math.floor(log2(hi) + 1e-9);
            int step = Math.max(1, (k1 - k0 + 1) / 8);
            for (int k = k0; k <= k1; k += step) ticks.add(Math.pow(2, k));
            return new Range(lo, hi, ticks, true, 1);
        }
        double lo = axis.min() != null ? axis.min() : min, hi = axis.max() != null ? axis.max() : max;
        if (hi - lo < 1e-12) {
            double pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.05 : 1;
            lo -= pad;
            hi += pad;
        }
        double step = nice((hi - lo) / 5);
        if (axis.min() == null) lo = Math.floor(lo / step) * step;
        if (axis.max() == null) hi = Math.ceil(hi / step) * step;
        List<Double> ticks = new ArrayList<>();
        for (double t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.add(Math.abs(t) < step * 1e-9 ? 0 : t);
        return new Range(lo, hi, ticks, false, step);
    }

    /** Tick labels with the decimals a step needs (0.25 → 2, 5 → 0). */
    static DoubleFunction<String> auto(double step) {
        int decimals = 0;
        while (decimals < 8 && Math.abs(step * Math.pow(10, decimals) - Math.rint(step * Math.pow(10, decimals))) > 1e-6) decimals++;
        String fmt = "%." + decimals + "f";
        return v -> Math.abs(v) >= 1e7 ? String.format(Locale.ROOT, "%.3g", v) : String.format(Locale.ROOT, fmt, v);
    }

    /** 1, 2 or 5 × a power of ten, at least {@code x}. */
    static double nice(double x) {
        double e = Math.pow(10, Math.floor(Math.log10(x)));
        double m = x / e;
        return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * e;
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace("\"", "&quot;");
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
