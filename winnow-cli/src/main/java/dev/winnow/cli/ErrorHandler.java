package dev.winnow.cli;

import dev.winnow.gguf.GgufException;
import dev.winnow.model.ModelException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns exceptions into one line {@code winnow: <message>} on stderr: exit code 1 for errors
 * while running (bad file, unsupported model, prompt too long, …), 2 for usage errors (unknown
 * option, bad option value). The stack trace is printed only with {@code --debug} or
 * {@code WINNOW_DEBUG=1}.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {
    static final int EXIT_ERROR = 1;
    static final int EXIT_USAGE = 2;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        cmd.getOut().flush();
        PrintWriter err = cmd.getErr();
        if (ex instanceof ParameterException pe) {
            return handleParseException(pe, new String[0]);
        }
        if (debug(parseResult)) ex.printStackTrace(err);
        err.println("winnow: " + message(ex));
        err.flush();
        return EXIT_ERROR;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        cmd.getOut().flush();
        PrintWriter err = cmd.getErr();
        if (debug(cmd.getParseResult()) || contains(args, "--debug")) ex.printStackTrace(err);
        String help = cmd.getCommandSpec().qualifiedName() + " --help";
        err.println("winnow: " + oneLine(ex.getMessage()) + " (see '" + help + "')");
        err.flush();
        return EXIT_USAGE;
    }

    /** The message for the user: the exception's own message for user errors, a labelled one otherwise. */
    static String message(Throwable ex) {
        Throwable t = ex;
        if (t instanceof UncheckedIOException u && u.getCause() != null) t = u.getCause();
        String msg = oneLine(t.getMessage());
        return switch (t) {
            case NoSuchFileException e -> e.getFile() + ": no such file";
            case AccessDeniedException e -> e.getFile() + ": permission denied";
            case FileSystemException e -> msg;
            case IOException e -> "I/O error: " + msg;
            case GgufException e -> msg;
            case ModelException e -> msg;
            case CliException e -> msg;
            case IllegalArgumentException e -> msg;
            case dev.winnow.kv.policy.CorruptProfileException e -> msg;
            case OutOfMemoryError e -> "out of memory (" + msg + "); give the JVM more with WINNOW_JAVA_OPTS=-Xmx…";
            default -> "internal error: " + t.getClass().getName() + (msg.isEmpty() ? "" : ": " + msg)
                    + " (run with --debug for the stack trace)";
        };
    }

    static String oneLine(String s) {
        if (s == null) return "";
        return s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    static boolean debug(ParseResult pr) {
        String env = System.getenv("WINNOW_DEBUG");
        if (env != null && !env.isEmpty() && !env.equals("0") && !env.equalsIgnoreCase("false")) return true;
        for (ParseResult p = pr; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) return true;
        }
        return false;
    }

    private static boolean contains(String[] args, String s) {
        if (args == null) return false;
        for (String a : args) {
            if (s.equals(a)) return true;
        }
        return false;
    }
}
