package dev.winnow.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** {@code winnow kv}: KV cache compression policies. */
@Command(name = "kv", mixinStandardHelpOptions = true,
        description = "KV cache compression: list the policies, compare them on a model.",
        subcommands = {KvListCommand.class, KvCompareCommand.class, HelpCommand.class})
final class KvCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }
}
