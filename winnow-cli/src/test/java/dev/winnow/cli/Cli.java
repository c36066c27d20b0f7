package dev.winnow.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

/** Runs the winnow command in-process with captured stdout and stderr. */
final class Cli {
    record Result(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    private Cli() {
    }

    static Result run(Object... args) {
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) a[i] = args[i] instanceof Path p ? p.toString() : String.valueOf(args[i]);
        StringWriter out = new StringWriter(), err = new StringWriter();
        PrintWriter o = new PrintWriter(out), e = new PrintWriter(err);
        int code = Main.commandLine(o, e).execute(a);
        o.flush();
        e.flush();
        return new Result(code, out.toString(), err.toString());
    }
}
