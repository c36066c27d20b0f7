package dev.winnow.eval.sweep;

import dev.winnow.eval.EvalException;
import dev.winnow.eval.task.Task;
import dev.winnow.generate.Session;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * What a sweep runs: one task on one model, for every spec × budget (or ratio) of the grid
 * ({@link SpecGrid}). Results are appended to {@code results} (JSON Lines) when given, and a
 * re-run with the same file skips the cells already there.
 *
 * @param model the GGUF file (ignored when the sweep is given a loaded model)
 * @param task the task
 * @param specs base specs ({@code snapkv}, {@code h2o:recent=8}, {@code full}, …)
 * @param budgets budgets (entries per head) to combine with the specs; may be empty
 * @param ratios ratios (fraction removed) to combine with the specs; may be empty
 * @param seed the task's seed (haystacks, values)
 * @param results the results file, or null for none
 * @param batch prompt tokens per forward pass
 * @param threads kernel threads when the sweep loads the model (0: all processors)
 * @param maxCells compute at most this many cells in this run, then stop (0: no limit)
 * @param cancelled checked between cells and during them: true stops the sweep (the current cell is not recorded)
 * @param listener progress reports
 */
public record SweepConfig(Path model, Task task, List<String> specs, List<Integer> budgets, List<Double> ratios, long seed,
                          Path results, int batch, int threads, int maxCells, BooleanSupplier cancelled,
                          SweepListener listener) {
    public SweepConfig {
        Objects.requireNonNull(task, "task");
        specs = List.copyOf(specs);
        budgets = List.copyOf(budgets);
        ratios = List.copyOf(ratios);
        if (batch < 1) throw new EvalException("batch must be >= 1, got " + batch);
        if (threads < 0) throw new EvalException("threads must be >= 0, got " + threads);
        if (maxCells < 0) throw new EvalException("max cells must be >= 0 (0: no limit), got " + maxCells);
        if (cancelled == null) cancelled = () -> false;
        if (listener == null) listener = SweepListener.NONE;
    }

    /** The cells of the grid, in order. */
    public List<Cell> cells() {
        return SpecGrid.expand(specs, budgets, ratios);
    }

    public static Builder builder(Task task) {
        return new Builder(task);
    }

    /** Builds a {@link SweepConfig}; only the task is required (specs default to {@code full}). */
    public static final class Builder {
        private Path model;
        private final Task task;
        private final List<String> specs = new ArrayList<>();
        private final List<Integer> budgets = new ArrayList<>();
        private final List<Double> ratios = new ArrayList<>();
        private long seed;
        private Path results;
        private int batch = Session.DEFAULT_BATCH;
        private int threads;
        private int maxCells;
        private BooleanSupplier cancelled;
        private SweepListener listener;

        private Builder(Task task) {
            this.task = task;
        }

        public Builder model(Path v) {
            model = v;
            return this;
        }

        public Builder spec(String... v) {
            specs.addAll(List.of(v));
            return this;
        }

        public Builder specs(List<String> v) {
            specs.addAll(v);
            return this;
        }

        public Builder budgets(int... v) {
            for (int b : v) budgets.add(b);
            return this;
        }

        public Builder budgets(List<Integer> v) {
            budgets.addAll(v);
            return this;
        }

        public Builder ratios(double... v) {
            for (double r : v) ratios.add(r);
            return this;
        }

        public Builder ratios(List<Double> v) {
            ratios.addAll(v);
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder results(Path v) {
            results = v;
            return this;
        }

        public Builder batch(int v) {
            batch = v;
            return this;
        }

        public Builder threads(int v) {
            threads = v;
            return this;
        }

        public Builder maxCells(int v) {
            maxCells = v;
            return this;
        }

        public Builder cancelled(BooleanSupplier v) {
            cancelled = v;
            return this;
        }

        public Builder listener(SweepListener v) {
            listener = v;
            return this;
        }

        public SweepConfig build() {
            List<String> s = specs.isEmpty() ? List.of("full") : specs;
            return new SweepConfig(model, task, s, budgets, ratios, seed, results, batch, threads, maxCells, cancelled, listener);
        }
    }
}
