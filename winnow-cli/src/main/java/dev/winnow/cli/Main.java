package dev.winnow.cli;

import dev.winnow.tensor.GgmlType;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine;

/** Entry point of the {@code winnow} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
        int code = commandLine(out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * The configured command line writing to {@code out} and {@code err}: error handlers that
     * print one {@code winnow: …} line, converters for Winnow's types. Tests run commands through it.
     */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(new WinnowCommand());
        cmd.setOut(out);
        cmd.setErr(err);
        ErrorHandler handler = new ErrorHandler();
        cmd.setExecutionExceptionHandler(handler);
        cmd.setParameterExceptionHandler(handler);
        cmd.registerConverter(GgmlType.class, Main::tensorType);
        // -m FILE also takes org/name[:FILE] of a model pulled into the hub cache ('winnow pull').
        cmd.registerConverter(java.nio.file.Path.class, s -> new dev.winnow.hub.HubCache(
                dev.winnow.hub.HubCache.root(HubEnvironment.current)).resolveModelArgument(s));
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        return cmd;
    }

    private static GgmlType tensorType(String name) {
        try {
            return GgmlType.parse(name);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage() + " (known types: "
                    + Arrays.stream(GgmlType.values()).map(Enum::name).collect(Collectors.joining(", ")) + ")");
        }
    }
}
