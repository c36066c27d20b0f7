package dev.winnow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives each test its own Winnow cache folder ({@code winnow.cache}): derived files are keyed by
 * the model's content, so tests that copy the same model would otherwise see each other's profiles.
 */
public final class OwnWinnowCache implements BeforeEachCallback, AfterEachCallback {
    private String saved;
    private Path dir;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        saved = System.getProperty("winnow.cache");
        dir = Files.createTempDirectory("winnow-cache");
        System.setProperty("winnow.cache", dir.toString());
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (saved == null) System.clearProperty("winnow.cache");
        else System.setProperty("winnow.cache", saved);
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
