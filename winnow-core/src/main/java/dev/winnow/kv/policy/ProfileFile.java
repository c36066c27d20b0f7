package dev.winnow.kv.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.winnow.model.DerivedFiles;

/**
 * Where a profile computed from a model (DuoAttention's head classes, Double Sparsity's label
 * channels) is cached, and the model file's size and modification time, which tell whether a
 * cached profile is still the model's.
 *
 * @param file the profile file to read, or null ({@code off}, or no model file)
 * @param saveTo where a newly measured profile is written, or null
 * @param modelSize the model file's size, or −1 when unknown
 * @param modelMtime its modification time in milliseconds, or −1 when unknown
 * @param contentKeyed whether {@code file} is in the Winnow cache under the model's content key
 *        (then the model's mtime does not matter, only its size)
 */
public record ProfileFile(Path file, Path saveTo, long modelSize, long modelMtime, boolean contentKeyed) {

    /**
     * Resolves a {@code profile=} parameter: {@code off} none, a path that path, {@code auto} the
     * Winnow cache's file for the model ({@link DerivedFiles}, kind = {@code suffix} without its
     * dot) — or, when only that exists, an older side file {@code <model><suffix>} (read; a new
     * profile still goes to the cache).
     */
    public static ProfileFile resolve(String mode, Path model, String suffix, String spec) {
        long size = -1, mtime = -1;
        if (model != null && Files.exists(model)) {
            try {
                size = Files.size(model);
                mtime = Files.getLastModifiedTime(model).toMillis();
            } catch (IOException e) {
                throw new UncheckedIOException(spec + ": cannot read the model file's attributes " + model, e);
            }
        }
        if (mode.equals("off")) return new ProfileFile(null, null, size, mtime, false);
        if (!mode.equals("auto")) return new ProfileFile(Path.of(mode), Path.of(mode), size, mtime, false);
        if (model == null || size < 0) return new ProfileFile(null, null, size, mtime, false);
        Path cached = DerivedFiles.path(model, suffix.startsWith(".") ? suffix.substring(1) : suffix);
        Path side = model.resolveSibling(model.getFileName() + suffix);
        if (!Files.exists(cached) && Files.exists(side)) return new ProfileFile(side, cached, size, mtime, false);
        return new ProfileFile(cached, cached, size, mtime, true);
    }

    /**
     * {@link #saveTo()}; the Winnow cache's folder is created, a path the user gave is not (a
     * missing directory there is the user's error, reported with the path given).
     */
    public Path saveTarget() {
        boolean userPath = !contentKeyed && saveTo != null && saveTo.equals(file);
        return userPath ? saveTo : DerivedFiles.prepare(saveTo);
    }

    /** Whether a profile made from a model of this size and time is fresh (always, when the model is unknown). */
    public boolean matches(long size, long mtime) {
        return modelSize < 0 || (size == modelSize && (contentKeyed || mtime == modelMtime));
    }
}
