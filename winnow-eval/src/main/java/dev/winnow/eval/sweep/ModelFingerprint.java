package dev.winnow.eval.sweep;

import dev.winnow.model.Model;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The identity of a model file: name, path, SHA-256 (cached per path, size and modification time), size. */
public final class ModelFingerprint {
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    private ModelFingerprint() {
    }

    public static CellResult.ModelInfo of(Model model) {
        Path p = model.path();
        return new CellResult.ModelInfo(model.config().name(), p.getFileName().toString(), sha256(p), size(p));
    }

    public static String sha256(Path path) {
        try {
            String key = path.toAbsolutePath().normalize() + "|" + Files.size(path) + "|" + Files.getLastModifiedTime(path).toMillis();
            return CACHE.computeIfAbsent(key, k -> hash(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hash(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
