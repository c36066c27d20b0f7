package dev.winnow.cli;

import dev.winnow.gguf.GgufFile;
import dev.winnow.hub.HubCache;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code winnow list}: the GGUF models in the hub cache, with size, architecture and quantization. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"List the GGUF models in the Hugging Face hub cache (HF_HUB_CACHE / HF_HOME): name for -m, size,",
                "architecture and tensor types (largest share first)."})
final class ListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        HubCache cache = new HubCache(HubCache.root(HubEnvironment.current));
        List<HubCache.Entry> entries = cache.entries();
        if (entries.isEmpty()) {
            spec.commandLine().getErr().println("no models in " + cache.root() + " (winnow pull ORG/NAME[:FILE] adds one)");
            return 0;
        }
        out.println(Format.f("%-60s %10s  %-10s %s", "MODEL", "SIZE", "ARCH", "QUANTIZATION"));
        for (HubCache.Entry e : entries) {
            String arch = "?", quant = "?";
            long size = -1;
            try {
                size = Files.size(e.path());
                try (GgufFile f = GgufFile.open(e.path())) {
                    arch = f.findString("general.architecture").orElse("?");
                    quant = Models.typeSummary(f);
                }
            } catch (Exception ex) {
                quant = "unreadable: " + ErrorHandler.message(ex);
            }
            out.println(Format.f("%-60s %10s  %-10s %s", e.repo() + ":" + e.file(),
                    size < 0 ? "?" : Format.f("%.1f MiB", size / 1048576.0), arch, quant));
        }
        out.flush();
        return 0;
    }
}
