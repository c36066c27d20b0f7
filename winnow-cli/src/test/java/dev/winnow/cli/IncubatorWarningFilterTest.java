package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The launcher's stderr filter drops exactly the JVM's incubator warning and keeps stderr a stream. */
class IncubatorWarningFilterTest {
    private static final Path FILTER = Path.of("..", "scripts", "drop-incubator-warning").toAbsolutePath().normalize();
    private static final String WARNING = "WARNING: Using incubator modules: jdk.incubator.vector\n";

    private static String filter(String input) throws Exception {
        Process p = new ProcessBuilder("bash", FILTER.toString()).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void dropsOnlyTheFirstLineWarning() throws Exception {
        assertThat(Files.isRegularFile(FILTER)).as(FILTER.toString()).isTrue();
        assertThat(filter(WARNING + "winnow: note: x\n")).isEqualTo("winnow: note: x\n");
        assertThat(filter("first\n" + WARNING)).isEqualTo("first\n" + WARNING);
        assertThat(filter("WARNING: something else\n")).isEqualTo("WARNING: something else\n");
        assertThat(filter("ab")).isEqualTo("ab");
        assertThat(filter("")).isEmpty();
    }

    @Test
    void partialLinesPassAtOnce() throws Exception {
        Process p = new ProcessBuilder("bash", FILTER.toString()).start();
        try {
            OutputStream in = p.getOutputStream();
            in.write((WARNING + "> ").getBytes(StandardCharsets.UTF_8));
            in.flush();
            InputStream out = p.getInputStream();
            byte[] b = new byte[2];
            int n = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (n < 2 && System.nanoTime() < deadline) {
                int r = out.read(b, n, 2 - n); // a chat prompt without newline must arrive while the writer is open
                if (r < 0) break;
                n += r;
            }
            assertThat(new String(b, 0, n, StandardCharsets.UTF_8)).isEqualTo("> ");
            in.close();
        } finally {
            p.destroy();
        }
    }

    @Test
    void launcherUsesTheFilter() throws Exception {
        String launcher = Files.readString(FILTER.getParent().getParent().resolve("winnow"));
        assertThat(launcher).contains("scripts/drop-incubator-warning");
    }
}
