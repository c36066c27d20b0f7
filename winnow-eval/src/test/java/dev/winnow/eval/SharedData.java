package dev.winnow.eval;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the shared reference data ({@code ../shared} from the project root): the system
 * property {@code winnow.shared} (Maven sets it), then {@code ../shared} and
 * {@code ../../shared}. A test whose file is missing is skipped with a message naming it.
 */
public final class SharedData {
    private SharedData() {
    }

    public static Path path(String relative) {
        List<Path> roots = new ArrayList<>();
        String prop = System.getProperty("winnow.shared");
        if (prop != null && !prop.isBlank()) roots.add(Path.of(prop));
        roots.add(Path.of("..", "shared"));
        roots.add(Path.of("..", "..", "shared"));
        List<String> tried = new ArrayList<>();
        for (Path root : roots) {
            Path p = root.resolve(relative);
            if (Files.exists(p)) return p.toAbsolutePath().normalize();
            tried.add(p.toAbsolutePath().normalize().toString());
        }
        return Assumptions.abort("shared data file not found: " + relative + " (looked at " + String.join(", ", tried)
                + "; set -Dwinnow.shared=<dir>)");
    }

    public static Path stories() {
        return path("models/stories260K.gguf");
    }
}
