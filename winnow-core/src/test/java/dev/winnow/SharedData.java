package dev.winnow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the shared reference data ({@code ../shared} from the project root). Looks at the
 * system property {@code winnow.shared} (Maven sets it), then {@code ../shared} and
 * {@code ../../shared} relative to the working directory. A test that needs a missing file is
 * skipped (aborted) with a message naming the file.
 */
public final class SharedData {
    public static final String PROPERTY = "winnow.shared";

    private SharedData() {
    }

    /** The candidate shared-data directories, in lookup order. */
    public static List<Path> roots() {
        List<Path> roots = new ArrayList<>();
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) roots.add(Path.of(prop));
        roots.add(Path.of("..", "shared"));
        roots.add(Path.of("..", "..", "shared"));
        return roots;
    }

    /**
     * The path of {@code relative} (e.g. {@code tokenizers/ggml-vocab-llama-spm.gguf}) inside the
     * shared data; aborts the calling test (skipped, not failed) when it is not found.
     */
    public static Path path(String relative) {
        List<Path> roots = roots();
        for (Path root : roots) {
            Path p = root.resolve(relative);
            if (Files.exists(p)) return p.toAbsolutePath().normalize();
        }
        List<String> tried = new ArrayList<>();
        for (Path root : roots) tried.add(root.resolve(relative).toAbsolutePath().normalize().toString());
        return Assumptions.abort("shared data file not found: " + relative + " (looked at " + String.join(", ", tried)
                + "; set -D" + PROPERTY + "=<dir>)");
    }
}
