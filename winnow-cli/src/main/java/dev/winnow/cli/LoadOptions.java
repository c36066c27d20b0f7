package dev.winnow.cli;

import dev.winnow.model.Model;
import dev.winnow.tensor.Parallel;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a command loads its model: {@code --no-repack}. */
final class LoadOptions {
    @Option(names = "--no-repack", description = "Read Q8_0/Q4_0 weights from the memory-mapped file as they are, instead "
            + "of the row-interleaved copy made at load (faster decoding, same results; costs load time and memory).")
    boolean noRepack;

    Model load(Path model, Parallel parallel) {
        return Model.load(model, parallel, !noRepack);
    }
}
