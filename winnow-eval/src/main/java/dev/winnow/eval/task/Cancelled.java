package dev.winnow.eval.task;

/** Thrown inside a cell when the sweep's cancellation hook says stop; the cell is not recorded. */
public final class Cancelled extends RuntimeException {
    public Cancelled() {
        super("cancelled", null, false, false);
    }
}
