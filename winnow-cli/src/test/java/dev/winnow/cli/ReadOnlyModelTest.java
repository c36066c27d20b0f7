package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.model.DerivedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model in a read-only folder: the profiling methods write their profile to the Winnow cache
 * (keyed by the model's content), nothing beside the model, and a second run loads it.
 */
class ReadOnlyModelTest {
    @TempDir
    Path models;
    @TempDir
    Path cache;
    String saved;

    @BeforeEach
    void ownCache() {
        saved = System.getProperty("winnow.cache");
        System.setProperty("winnow.cache", cache.toString());
    }

    @AfterEach
    void restore() throws Exception {
        Files.setPosixFilePermissions(models, PosixFilePermissions.fromString("rwx------"));
        if (saved == null) System.clearProperty("winnow.cache");
        else System.setProperty("winnow.cache", saved);
    }

    static List<Path> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @ParameterizedTest
    @CsvSource({"duo, winnow-heads", "doublesparse:budget=16, winnow-channels"})
    void profilesIntoTheCacheAndReusesIt(String spec, String kind) throws Exception {
        Path model = models.resolve("stories260K.gguf");
        Files.copy(SharedData.path("models/stories260K.gguf"), model);
        Files.setPosixFilePermissions(models, PosixFilePermissions.fromString("r-x------"));

        Cli.Result first = Cli.run("generate", "-m", model, "-p", "Once upon a time", "-n", "8", "--temp", "0", "-t", "1", "--kv", spec);
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(list(models)).containsExactly(model); // nothing written beside the model
        Path profile = DerivedFiles.path(model, kind);
        assertThat(profile).exists().startsWith(cache);
        assertThat(Files.readString(profile)).contains(Long.toString(Files.size(model)));

        // Mark the cached profile; a second run that loads it (instead of profiling again) leaves it untouched.
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(profile, old);
        Cli.Result second = Cli.run("generate", "-m", model, "-p", "Once upon a time", "-n", "8", "--temp", "0", "-t", "1", "--kv", spec);
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.out()).isEqualTo(first.out());
        assertThat(Files.getLastModifiedTime(profile)).isEqualTo(old);
        assertThat(list(models)).containsExactly(model);
    }
}
