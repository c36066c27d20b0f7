package dev.winnow.cli.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The options of every evaluation run: model, specs, budgets, results file, threads. */
final class RunOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model file.")
    Path model;

    @Option(names = "--kv", paramLabel = "SPEC",
            description = "A compression spec to evaluate; repeatable ('winnow kv list'). Base specs (snapkv, h2o:recent=8) are "
                    + "combined with --budgets or --ratios; specs that set budget= or ratio=, and full, run as given. "
                    + "Default: every policy, full included.")
    List<String> specs = new ArrayList<>();

    @Option(names = "--budgets", paramLabel = "N", split = ",",
            description = "Budgets (entries per KV head) for the base specs (default: 32,64,128 unless --ratios is given).")
    List<Integer> budgets;

    @Option(names = "--ratios", paramLabel = "R", split = ",",
            description = "Compression ratios (fraction of entries removed, 0.75 keeps 25%%) for the base specs.")
    List<Double> ratios;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed of generated data (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads (default: available processors).")
    Integer threads;

    @Option(names = {"-b", "--batch"}, paramLabel = "N", defaultValue = "128",
            description = "Prompt tokens per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--max-cells", paramLabel = "N", defaultValue = "0",
            description = "Compute at most N cells, then stop (resume later with the same command); 0 = no limit.")
    int maxCells;
}
