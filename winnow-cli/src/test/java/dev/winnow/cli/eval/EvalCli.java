package dev.winnow.cli.eval;

import dev.winnow.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Runs the winnow command in-process with captured output; finds the shared data (skips without it). */
final class EvalCli {
    record Result(int exit, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    private EvalCli() {
    }

    static Result run(Object... args) {
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) a[i] = String.valueOf(args[i]);
        StringWriter out = new StringWriter(), err = new StringWriter();
        PrintWriter o = new PrintWriter(out), e = new PrintWriter(err);
        int code = Main.commandLine(o, e).execute(a);
        o.flush();
        e.flush();
        return new Result(code, out.toString(), err.toString());
    }

    static Path shared(String relative) {
        List<Path> roots = new ArrayList<>();
        String prop = System.getProperty("winnow.shared");
        if (prop != null && !prop.isBlank()) roots.add(Path.of(prop));
        roots.add(Path.of("..", "shared"));
        roots.add(Path.of("..", "..", "shared"));
        for (Path root : roots) {
            Path p = root.resolve(relative);
            if (Files.exists(p)) return p.toAbsolutePath().normalize();
        }
        return Assumptions.abort("shared data file not found: " + relative + " (set -Dwinnow.shared=<dir>)");
    }

    static Path stories() {
        return shared("models/stories260K.gguf");
    }
}
