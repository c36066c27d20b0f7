package dev.winnow.cli.eval;

import dev.winnow.cli.RunLimits;
import dev.winnow.cli.Threads;
import dev.winnow.eval.EvalException;
import dev.winnow.eval.Evaluation;
import dev.winnow.eval.report.Report;
import dev.winnow.eval.sweep.SweepConfig;
import dev.winnow.eval.sweep.SweepResult;
import dev.winnow.eval.task.Task;
import dev.winnow.kv.policy.KvPolicies;
import dev.winnow.kv.policy.PolicyInfo;
import dev.winnow.model.Model;
import dev.winnow.tensor.Parallel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The shared body of the task commands and {@code eval sweep}: builds the task from the options,
 * runs the grid of specs × budgets (resuming from {@code -o} when given), prints a Markdown table
 * of every cell to stdout and the progress to stderr.
 */
abstract class EvalRunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    RunOptions run;

    @Mixin
    TaskOptions taskOptions;

    /** The task this command runs. */
    abstract String taskName();

    /** The results file (JSON Lines), or null. */
    abstract Path output();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        Task task = taskOptions.build(taskName());
        if (run.budgets != null && run.ratios != null) throw new EvalException("give --budgets or --ratios, not both");
        List<Double> ratios = run.ratios == null ? List.of() : run.ratios;
        List<Integer> budgets = run.budgets != null ? run.budgets : ratios.isEmpty() ? List.of(32, 64, 128) : List.of();
        List<String> specs = run.specs.isEmpty() ? defaultSpecs(!ratios.isEmpty()) : run.specs;
        if (run.threads != null && run.threads < 1) throw new EvalException("--threads must be at least 1, got " + run.threads);
        Path results = output();
        SweepConfig config = SweepConfig.builder(task).model(run.model).specs(specs).budgets(budgets).ratios(ratios).seed(run.seed)
                .results(results).batch(run.batch).maxCells(run.maxCells)
                .listener(new ProgressBar(err, ProgressBar.stderrIsTerminal())).build();
        config.cells(); // spec errors before the model loads
        Parallel parallel = Threads.pool(run.threads, err); // clamped to the processors, with a note
        SweepResult r;
        try (Model model = Model.load(run.model, parallel)) {
            // sessions never batch beyond the model's context (the runner clamps); say so when asked for more
            RunLimits.batch(run.batch, spec.commandLine().getParseResult().hasMatchedOption("--batch"),
                    model.config().contextLength(), err);
            err.println("eval " + task.name() + " on " + run.model.getFileName() + " (" + parallel.threads() + " threads)"
                    + (results != null ? ", results in " + results : ""));
            err.flush();
            r = Evaluation.sweep(model, config);
        } finally {
            if (parallel != Parallel.shared()) parallel.close();
        }
        if (!r.results().isEmpty()) out.print(Report.markdown(r.results()));
        out.flush();
        if (!r.complete()) {
            err.println("stopped after " + r.computed() + " cell" + (r.computed() == 1 ? "" : "s")
                    + (results != null ? "; run the same command again to resume (finished cells are in " + results + ")"
                    : " (give -o FILE to keep results and resume)"));
        } else if (results != null) {
            err.println("done: " + r.results().size() + " cells in " + results + " (" + r.computed() + " computed, " + r.skipped()
                    + " from before); 'winnow eval report " + results + " -o report/' draws the charts");
        }
        err.flush();
        return 0;
    }

    /** Every policy (full included); with ratios only those that take one. */
    static List<String> defaultSpecs(boolean ratios) {
        List<String> s = new ArrayList<>();
        for (PolicyInfo p : KvPolicies.all()) {
            boolean takesRatio = p.params().stream().anyMatch(x -> x.name().equals("ratio"));
            if (p.name().equals("full") || !ratios || takesRatio) s.add(p.name());
        }
        return s;
    }

    /** Removes the task options that do not apply to {@code task} from a command's help and parser. */
    static CommandSpec onlyOptionsOf(CommandSpec spec, String task) {
        for (OptionSpec o : new ArrayList<>(spec.options())) {
            List<String> tasks = TaskOptions.APPLIES.get(o.longestName());
            if (tasks != null && !tasks.contains(task)) spec.remove(o);
        }
        return spec;
    }

    /** Keeps, in a task command, only the task options that apply to the task it is named after. */
    static final class OnlyItsOptions implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            return onlyOptionsOf(spec, spec.name());
        }
    }

    /** A task command: the task is the command's name, {@code -o} optional. */
    abstract static class Single extends EvalRunCommand {
        @Override
        String taskName() {
            return spec.name();
        }

        @Option(names = {"-o", "--output"}, paramLabel = "FILE.jsonl",
                description = "Append each cell's result to this JSON Lines file; cells already in it are skipped.")
        Path output;

        @Override
        Path output() {
            return output;
        }
    }
}
