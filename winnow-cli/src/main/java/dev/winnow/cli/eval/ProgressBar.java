package dev.winnow.cli.eval;

import dev.winnow.eval.sweep.Cell;
import dev.winnow.eval.sweep.CellResult;
import dev.winnow.eval.sweep.SweepListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Sweep progress on stderr: on a terminal a bar redrawn in place ({@code [####----] 7/19 cells,
 * ETA 0:21, now snapkv:budget=64}); otherwise one line per finished cell. The ETA is the mean
 * time per cell computed so far (current cell's fraction included) times the cells left.
 */
final class ProgressBar implements SweepListener {
    private final PrintWriter err;
    private final boolean terminal;
    private int total, remaining, finished;
    private long start, cellStart, lastDraw;
    private String headline;

    ProgressBar(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    static boolean stderrIsTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    @Override
    public void started(int total, int done) {
        this.total = total;
        this.remaining = total - done;
        err.println(String.format(Locale.ROOT, "%d cells%s", total, done > 0 ? " (" + done + " done before: skipped)" : ""));
        err.flush();
    }

    @Override
    public void message(String text) {
        clear();
        err.println(text);
        err.flush();
    }

    @Override
    public void cellStarted(Cell cell) {
        cellStart = System.nanoTime();
        if (start == 0) start = cellStart; // the ETA counts cells only, not preparing the task
        draw(cell, 0, true);
    }

    @Override
    public void progress(Cell cell, double fraction) {
        draw(cell, fraction, false);
    }

    @Override
    public void cellFinished(Cell cell, CellResult r) {
        finished++;
        clear();
        if (headline == null) headline = r.headline().isEmpty() ? null : r.headline().getFirst();
        Double h = headline == null ? null : r.metric(headline);
        err.println(String.format(Locale.ROOT, "[%d/%d] %-34s %s  %.1f s  ETA %s", total - remaining + finished, total, cell.spec(),
                h == null ? "" : headline + " " + format(headline, h), (System.nanoTime() - cellStart) / 1e9, eta(0)));
        err.flush();
    }

    private static String format(String metric, double v) {
        return switch (metric) {
            case "top1", "accuracy", "score", "f1", "em", "rouge-l", "contains" -> String.format(Locale.ROOT, "%.1f%%", 100 * v);
            default -> String.format(Locale.ROOT, "%.4g", v);
        };
    }

    private void draw(Cell cell, double fraction, boolean force) {
        if (!terminal) return;
        long now = System.nanoTime();
        if (!force && now - lastDraw < 200_000_000L) return;
        lastDraw = now;
        double done = finished + fraction;
        int width = 24, filled = (int) Math.round(width * (total - remaining + done) / Math.max(1, total));
        String bar = "#".repeat(Math.min(width, filled)) + "-".repeat(Math.max(0, width - filled));
        err.print(String.format(Locale.ROOT, "\r[%s] %.1f/%d cells  ETA %s  %s\u001b[K", bar, total - remaining + done, total, eta(fraction),
                cell.spec()));
        err.flush();
    }

    private void clear() {
        if (terminal) err.print("\r\u001b[K");
    }

    private String eta(double fraction) {
        double done = finished + fraction;
        if (done <= 0) return "?";
        double perCell = (System.nanoTime() - start) / 1e9 / done;
        long s = Math.round(perCell * (remaining - done));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
