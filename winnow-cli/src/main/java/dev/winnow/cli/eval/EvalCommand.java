package dev.winnow.cli.eval;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code winnow eval}: the evaluation harness (module winnow-eval). */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate KV cache compression: quality against compression, memory and speed (docs/evaluation.md).",
        subcommands = {TaskCommands.Fidelity.class, TaskCommands.Ppl.class, TaskCommands.Needle.class, TaskCommands.Ruler.class,
                TaskCommands.LongBench.class, TaskCommands.Recall.class, SweepCommand.class, ReportCommand.class, TablesCommand.class, HelpCommand.class})
public final class EvalCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }
}
