package dev.winnow.eval.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;

/**
 * Checks that a report renders: the page exists, references only local files that exist,
 * every chart is a non-empty SVG with drawn data, and headless Chromium (when installed)
 * renders the page to a non-trivial PNG.
 */
public final class ReportCheck {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private ReportCheck() {
    }

    /** The charts the page shows (checked). */
    public static List<Path> assertLocalAndNonEmpty(Path dir) throws IOException {
        Path html = dir.resolve("index.html");
        assertThat(html).isRegularFile();
        String page = Files.readString(html, StandardCharsets.UTF_8);
        assertThat(page).doesNotContainIgnoringCase("<script").doesNotContainIgnoringCase("@import")
                .doesNotContainIgnoringCase("url(");
        Matcher m = Pattern.compile("(?:src|href)\\s*=\\s*['\"]([^'\"]*)['\"]").matcher(page);
        List<Path> images = new ArrayList<>();
        int refs = 0;
        while (m.find()) {
            String ref = m.group(1);
            refs++;
            if (ref.startsWith("#")) continue;
            assertThat(ref).as("reference in index.html").doesNotContain("://").doesNotStartWith("//").doesNotStartWith("data:")
                    .doesNotStartWith("/");
            Path target = dir.resolve(ref.replace("&amp;", "&")).normalize();
            assertThat(target).as("file referenced by index.html").isRegularFile().startsWith(dir.normalize());
            if (m.group(0).startsWith("src")) images.add(target);
        }
        assertThat(refs).isPositive();
        assertThat(images).as("charts on the page").isNotEmpty();
        for (Path img : images) {
            assertThat(Files.size(img)).as("size of %s", img).isGreaterThan(1000);
            String svg = Files.readString(img, StandardCharsets.UTF_8);
            assertThat(svg).as(img.toString()).startsWith("<svg").contains("</svg>");
            int marks = count(svg, "<polyline") + count(svg, "<circle") + count(svg, "<polygon") + count(svg, "<rect") - 2;
            assertThat(marks).as("data marks in %s", img).isGreaterThan(0);
        }
        return images;
    }

    private static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) n++;
        return n;
    }

    /**
     * Opens the page in headless Chromium and checks the screenshot is a real rendering (a PNG
     * of the window size with many colours); skipped with a message when Chromium is absent.
     */
    public static void assertChromiumRenders(Path dir, Path work) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "Chromium not installed at " + CHROMIUM
                + " (Debian package 'chromium'; .ci/run installs it): skipping the rendering check");
        Path png = work.resolve("screenshot.png");
        Path profile = Files.createTempDirectory(work, "chromium-profile");
        List<String> cmd = List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--screenshot=" + png, "--window-size=1280,2000",
                dir.resolve("index.html").toUri().toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("chromium.log").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("Chromium did not finish in 120 s: " + String.join(" ", cmd));
        }
        assertThat(png).as("screenshot (chromium log: %s)", Files.readString(work.resolve("chromium.log"))).isRegularFile();
        byte[] bytes = Files.readAllBytes(png);
        assertThat(bytes.length).isGreaterThan(20_000);
        assertThat(new String(bytes, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(1280);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) colours.add(img.getRGB(x, y));
        }
        assertThat(colours.size()).as("distinct colours in the screenshot").isGreaterThan(50);
    }
}
