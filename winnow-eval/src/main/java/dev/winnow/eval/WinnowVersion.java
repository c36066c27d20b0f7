package dev.winnow.eval;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The Winnow version the build wrote into {@code winnow-eval.properties}; recorded with every result. */
public final class WinnowVersion {
    private static final String VERSION = load();

    private WinnowVersion() {
    }

    public static String get() {
        return VERSION;
    }

    private static String load() {
        Properties p = new Properties();
        try (InputStream in = WinnowVersion.class.getResourceAsStream("/dev/winnow/eval/winnow-eval.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String v = p.getProperty("version", "unknown");
        return v.startsWith("${") ? "unknown" : v;
    }
}
