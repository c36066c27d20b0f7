package dev.winnow.cli.eval;

import dev.winnow.eval.Evaluation;
import dev.winnow.eval.sweep.CellResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code winnow eval report}: HTML page with SVG charts, Markdown and CSV tables from results files. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a report of sweep results: index.html (self-contained: inline style, SVG charts in charts/, no "
                + "script or network), results.md (tables) and results.csv (every cell).",
                "Charts per model and task: each headline metric against the measured compression ratio, KV bytes against the "
                        + "budget, decode tok/s against the context length, perplexity per segment (ppl), accuracy heat maps over "
                        + "length × depth (needle)."})
final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "RESULTS.jsonl", description = "Results files of 'winnow eval' runs.")
    List<Path> inputs;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", defaultValue = "report", description = "Directory to write (default: ${DEFAULT-VALUE}).")
    Path output;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<CellResult> results = Evaluation.readResults(inputs);
        List<Path> files = Evaluation.report(results, output);
        out.println(files.getFirst() + " (" + results.size() + " cells, " + (files.size() - 3) + " charts)");
        out.flush();
        return 0;
    }
}
