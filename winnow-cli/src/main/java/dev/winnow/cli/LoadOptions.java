package dev.winnow.cli;

import dev.winnow.model.Model;
import dev.winnow.model.RepackCache;
import dev.winnow.tensor.Parallel;
import java.nio.file.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** How a command loads its model: {@code --repack} / {@code --no-repack} (the default). */
final class LoadOptions {
    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Layout layout = new Layout();

    static final class Layout {
        @Option(names = "--repack", description = "Copy Q8_0/Q4_0 weights at load into a row-interleaved "
                + "layout: same results, costs memory (and load time the first time: the layout is kept in the Winnow "
                + "cache folder and mapped on later loads), and on the CPUs measured so far decodes no faster.")
        boolean repack;

        @Option(names = "--no-repack", description = "Read Q8_0/Q4_0 weights from the memory-mapped file as they are "
                + "(the default).")
        boolean noRepack;
    }

    /** Loads the model, telling {@code err} (when not null) where repacked weights came from. */
    Model load(Path model, Parallel parallel, java.io.PrintWriter err) {
        Model m = Model.load(model, parallel, layout != null && layout.repack);
        RepackCache.Result r = m.repackResult();
        if (err != null && r != null) {
            err.println(r.reason() == null ? "repacked weights read from " + r.file() : r.reason());
            err.flush();
        }
        return m;
    }
}
