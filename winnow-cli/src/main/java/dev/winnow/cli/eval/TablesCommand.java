package dev.winnow.cli.eval;

import dev.winnow.cli.docs.DocTables;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code winnow eval tables}: regenerates the docs' results tables and report charts from the committed result files. */
@Command(name = "tables", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Regenerate every results table of README.md and docs/*.md from the result files committed in the "
                + "repository, between '<!-- table: KIND SOURCE… -->' and '<!-- end table -->' markers, and every report "
                + "directory named by a '<!-- report: DIR SOURCE… -->' line (its SVG charts are what the docs show).",
                "Table kinds: fidelity, ppl, segments (eval sweep results), recall (one column group per file), compare, "
                        + "compare-sparse (rows of 'winnow kv compare -o FILE'). No table has timing columns.",
                "With --check nothing is written: lists what is out of date and exits 1 if anything is."})
final class TablesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--root", paramLabel = "DIR", defaultValue = ".",
            description = "Project root holding README.md and docs/ (default: the current directory).")
    Path root;

    @Option(names = "--check", description = "Only check that the docs match their sources; exit 1 when they do not.")
    boolean check;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.isDirectory(root.resolve("docs"))) {
            throw new IllegalArgumentException(root.toAbsolutePath().normalize() + ": no docs/ directory here (give the project root with --root)");
        }
        DocTables tables = new DocTables(root);
        if (check) {
            List<String> stale = tables.check();
            stale.forEach(out::println);
            out.println(stale.isEmpty() ? "docs are up to date with their result files" : stale.size() + " out of date; run 'winnow eval tables'");
            out.flush();
            return stale.isEmpty() ? 0 : 1;
        }
        List<String> changed = tables.write();
        out.println(changed.isEmpty() ? "nothing changed" : "regenerated: " + String.join(", ", changed));
        out.flush();
        return 0;
    }
}
