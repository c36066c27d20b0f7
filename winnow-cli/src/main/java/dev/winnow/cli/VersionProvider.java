package dev.winnow.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code winnow --version}: the version the build wrote into {@code winnow.properties}. */
public final class VersionProvider implements IVersionProvider {
    static final String RESOURCE = "/dev/winnow/cli/winnow.properties";

    /** The build properties ({@code version}, {@code jvm.args}). */
    static Properties buildProperties() {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream(RESOURCE)) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    static String version() {
        return buildProperties().getProperty("version", "unknown");
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "winnow " + version(),
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ")"
        };
    }
}
