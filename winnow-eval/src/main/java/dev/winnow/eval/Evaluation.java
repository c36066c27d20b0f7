package dev.winnow.eval;

import dev.winnow.eval.report.Report;
import dev.winnow.eval.sweep.CellResult;
import dev.winnow.eval.sweep.ResultsFile;
import dev.winnow.eval.sweep.SweepConfig;
import dev.winnow.eval.sweep.SweepResult;
import dev.winnow.eval.sweep.Sweeper;
import dev.winnow.eval.task.Task;
import dev.winnow.model.Model;
import dev.winnow.tensor.Parallel;
import java.nio.file.Path;
import java.util.List;

/**
 * The evaluation harness's Java API: sweeps of a task over compression specs, and reports.
 *
 * <pre>{@code
 * SweepResult r = Evaluation.sweep(SweepConfig.builder(new FidelityTask(FidelityTask.Options.defaults()))
 *         .model(Path.of("stories260K.gguf"))
 *         .spec("window", "h2o", "snapkv").budgets(32, 64, 128)
 *         .results(Path.of("results.jsonl"))      // resumable: finished cells are skipped
 *         .build());
 * Evaluation.report(r.results(), Path.of("report"));  // index.html, charts/*.svg, results.csv, results.md
 * }</pre>
 */
public final class Evaluation {
    private Evaluation() {
    }

    /** Runs a sweep, loading the model from {@link SweepConfig#model()} ({@link SweepConfig#threads()} threads). */
    public static SweepResult sweep(SweepConfig config) {
        if (config.model() == null) throw new EvalException("no model: give SweepConfig.model(path) or a loaded model");
        Parallel parallel = config.threads() > 0 && config.threads() != Runtime.getRuntime().availableProcessors()
                ? new Parallel(config.threads()) : Parallel.shared();
        try (Model model = Model.load(config.model(), parallel)) {
            return Sweeper.run(model, config);
        } finally {
            if (parallel != Parallel.shared()) parallel.close();
        }
    }

    /** Runs a sweep on a loaded model. */
    public static SweepResult sweep(Model model, SweepConfig config) {
        return Sweeper.run(model, config);
    }

    /** Runs one task with one spec (no results file): the cell's result. */
    public static CellResult run(Model model, Task task, String spec) {
        SweepResult r = Sweeper.run(model, SweepConfig.builder(task).spec(spec).build());
        return r.results().getFirst();
    }

    /** The results in results files (JSON Lines). */
    public static List<CellResult> readResults(List<Path> files) {
        return ResultsFile.readAll(files);
    }

    /** Writes the report of results into a directory: the files written (index.html first). */
    public static List<Path> report(List<CellResult> results, Path dir) {
        return Report.write(results, dir);
    }
}
