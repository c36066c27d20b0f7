package dev.winnow.cli;

import dev.winnow.cli.eval.EvalCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top-level {@code winnow} command: only dispatches to its subcommands. */
@Command(name = "winnow",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Winnow: LLM inference for the JVM (GGUF models).",
        subcommands = {GenerateCommand.class, ChatCommand.class, InspectCommand.class, TokenizeCommand.class, BenchCommand.class,
                SynthCommand.class, KvCommand.class, EvalCommand.class, ServeCommand.class, BenchServeCommand.class,
                PullCommand.class, ListCommand.class, RmCommand.class,
                HelpCommand.class},
        footer = {"", "Errors are one line on stderr and exit code 1 (2 for usage errors); --debug or "
                + "WINNOW_DEBUG=1 adds the stack trace. Run 'winnow COMMAND --help' for a command's options."})
public final class WinnowCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Print stack traces of errors (also: environment WINNOW_DEBUG=1).")
    boolean debug;

    @Override
    public Integer call() {
        // No subcommand: show what there is.
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }
}
