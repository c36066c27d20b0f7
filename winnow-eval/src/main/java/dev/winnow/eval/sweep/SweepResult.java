package dev.winnow.eval.sweep;

import java.util.List;

/**
 * The outcome of a sweep.
 *
 * @param results every cell of the grid that is done, in grid order (found in the results file or computed now)
 * @param computed cells computed by this run
 * @param skipped cells found in the results file
 * @param complete whether every cell of the grid is done (false after a cell limit or cancellation)
 */
public record SweepResult(List<CellResult> results, int computed, int skipped, boolean complete) {
}
