package dev.winnow.cli;

import java.io.PrintWriter;

/** A one-line download progress bar on stderr, redrawn at most five times a second. */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final String name;
    private final long total;
    private final long start;
    private final long startBytes;
    private long lastDraw;
    private long current;

    ProgressBar(PrintWriter err, String name, long total, long startBytes) {
        this.err = err;
        this.name = name;
        this.total = total;
        this.start = System.nanoTime();
        this.startBytes = startBytes;
        this.current = startBytes;
    }

    void update(long bytes) {
        current = bytes;
        long now = System.nanoTime();
        if (now - lastDraw < 200_000_000L) return;
        lastDraw = now;
        draw();
    }

    void done() {
        draw();
        err.println();
        err.flush();
    }

    private void draw() {
        double secs = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        double rate = (current - startBytes) / secs / 1048576.0;
        String bar;
        if (total > 0) {
            int filled = (int) (WIDTH * Math.min(1.0, current / (double) total));
            bar = "[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] "
                    + Format.f("%3.0f%% %.1f/%.1f MiB", 100.0 * current / total, current / 1048576.0, total / 1048576.0);
        } else {
            bar = Format.f("%.1f MiB", current / 1048576.0);
        }
        err.print("\r" + name + " " + bar + Format.f(" %.1f MiB/s", rate));
        err.flush();
    }
}
