package dev.winnow.cli.eval;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code winnow eval sweep}: any task over a grid of specs × budgets, resumable. */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a task over a grid of compression specs × budgets (or ratios), with a progress bar and ETA on stderr.",
                "Each finished cell is appended to the results file (JSON Lines: model name and sha256, spec, budget/ratio, "
                        + "metrics, KV bytes, peak entries, prefill and decode tok/s, wall time, seed, Winnow version); a re-run "
                        + "skips the cells already there, so an interrupted sweep resumes where it stopped.",
                "Task options apply to the task named in parentheses in their description."},
        footer = {"", "Example: winnow eval sweep -m model.gguf --task fidelity --kv window --kv h2o --kv snapkv --budgets 64,128,256",
                "Then:    winnow eval report results.jsonl -o report/"})
final class SweepCommand extends EvalRunCommand {
    @Option(names = "--task", required = true, paramLabel = "TASK",
            description = "fidelity, ppl, needle, ruler, longbench or recall (see 'winnow eval TASK --help').")
    String task;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE.jsonl", defaultValue = "results.jsonl",
            description = "Results file, appended to; cells already in it are skipped (default: ${DEFAULT-VALUE}).")
    Path output;

    @Override
    String taskName() {
        return task;
    }

    @Override
    Path output() {
        return output;
    }
}
