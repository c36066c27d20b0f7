package dev.winnow.eval.sweep;

/** What a sweep reports as it goes (the CLI draws a progress bar with an ETA from it). All methods optional. */
public interface SweepListener {
    SweepListener NONE = new SweepListener() {
    };

    /** The grid is known: {@code total} cells, {@code done} of them already in the results file. */
    default void started(int total, int done) {
    }

    /** A message about the sweep (preparing the task, repaired results file, …). */
    default void message(String text) {
    }

    /** A cell found in the results file: not recomputed. */
    default void skipped(Cell cell, CellResult previous) {
    }

    /** A cell starts computing. */
    default void cellStarted(Cell cell) {
    }

    /** Fraction (0–1) of the current cell's work done. */
    default void progress(Cell cell, double fraction) {
    }

    /** A cell finished and was recorded. */
    default void cellFinished(Cell cell, CellResult result) {
    }
}
