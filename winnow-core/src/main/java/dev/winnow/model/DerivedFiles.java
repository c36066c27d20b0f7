package dev.winnow.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Where files derived from a model (head profiles, channel profiles, repacked weights) are kept:
 * {@code <cache>/derived/<content key>/<kind>}, not beside the model (a pulled model sits in the
 * hub cache, a user's model folder may be read-only). The cache is the system property
 * {@code winnow.cache}, else {@code WINNOW_CACHE}, else the platform's user cache folder
 * ({@code $XDG_CACHE_HOME/winnow} or {@code ~/.cache/winnow}; {@code ~/Library/Caches/winnow} on
 * macOS; {@code %LOCALAPPDATA%\winnow\cache} on Windows).
 *
 * <p>The content key identifies the model's bytes without reading a multi-GB file whole: SHA-256
 * over the file size, its first and last MiB (the GGUF header and metadata, the last tensors) and
 * 64 KiB at 32 evenly spaced offsets, truncated to 128 bits. A copied or re-downloaded file keeps
 * its key (its mtime does not matter); an edited header or any re-quantization changes it. Keys
 * are memoized per (path, size, mtime) for the life of the process.
 */
public final class DerivedFiles {
    private static final int EDGE = 1 << 20;
    private static final int SAMPLE = 64 << 10;
    private static final int SAMPLES = 32;
    private static final Pattern KIND = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Map<String, String> KEYS = new ConcurrentHashMap<>();

    private DerivedFiles() {
    }

    /**
     * The file of kind {@code kind} (e.g. {@code winnow-heads}) derived from {@code model}. The
     * folder is not created; {@link #prepare(Path)} does that before writing.
     */
    public static Path path(Path model, String kind) {
        if (!KIND.matcher(kind).matches()) throw new IllegalArgumentException("bad derived-file kind '" + kind + "'");
        return cacheDir().resolve("derived").resolve(contentKey(model)).resolve(kind);
    }

    /** Creates the folder of a derived file and returns the file. */
    public static Path prepare(Path derived) {
        try {
            Files.createDirectories(derived.toAbsolutePath().getParent());
            return derived;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Winnow cache folder " + derived.getParent() + ": " + e, e);
        }
    }

    /** The Winnow cache folder. */
    public static Path cacheDir() {
        String prop = System.getProperty("winnow.cache");
        if (prop != null && !prop.isBlank()) return Path.of(prop);
        String env = System.getenv("WINNOW_CACHE");
        if (env != null && !env.isBlank()) return Path.of(env);
        String home = System.getProperty("user.home");
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("win")) {
            String local = System.getenv("LOCALAPPDATA");
            return local != null ? Path.of(local, "winnow", "cache") : Path.of(home, "AppData", "Local", "winnow", "cache");
        }
        if (os.contains("mac")) return Path.of(home, "Library", "Caches", "winnow");
        String xdg = System.getenv("XDG_CACHE_HOME");
        return xdg != null && !xdg.isBlank() ? Path.of(xdg, "winnow") : Path.of(home, ".cache", "winnow");
    }

    /** The model's content key (32 hex digits); see the class comment. */
    public static String contentKey(Path model) {
        try {
            Path real = model.toRealPath();
            long size = Files.size(real);
            String memo = real + "\0" + size + "\0" + Files.getLastModifiedTime(real).toMillis();
            String key = KEYS.get(memo);
            if (key == null) {
                key = hash(real, size);
                KEYS.put(memo, key);
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model file " + model + ": " + e.getMessage(), e);
        }
    }

    private static String hash(Path file, long size) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        md.update(ByteBuffer.allocate(8).putLong(0, size));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (size <= 2L * EDGE + (long) SAMPLES * SAMPLE) {
                read(ch, md, 0, size);
            } else {
                read(ch, md, 0, EDGE);
                long span = size - 2L * EDGE - SAMPLE;
                for (int i = 0; i < SAMPLES; i++) read(ch, md, EDGE + span * i / (SAMPLES - 1), SAMPLE);
                read(ch, md, size - EDGE, EDGE);
            }
        }
        byte[] d = md.digest();
        return HexFormat.of().formatHex(d, 0, 16);
    }

    private static void read(FileChannel ch, MessageDigest md, long from, long length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(length, 1 << 20));
        long pos = from, end = from + length;
        while (pos < end) {
            buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
            int n = ch.read(buf, pos);
            if (n < 0) break;
            buf.flip();
            md.update(buf);
            pos += n;
        }
    }
}
