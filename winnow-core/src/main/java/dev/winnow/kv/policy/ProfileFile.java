package dev.winnow.kv.policy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a profile computed from a model (DuoAttention's head classes, Double Sparsity's label
 * channels) is cached, and the model file's size and modification time, which tell whether a
 * cached profile is still the model's.
 *
 * @param file the profile file, or null ({@code off}, or no model file)
 * @param modelSize the model file's size, or −1 when unknown
 * @param modelMtime its modification time in milliseconds, or −1 when unknown
 */
public record ProfileFile(Path file, long modelSize, long modelMtime) {

    /**
     * Resolves a {@code profile=} parameter: {@code auto} is the model's path plus {@code suffix},
     * {@code off} none, anything else a path.
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
        Path file = switch (mode) {
            case "off" -> null;
            case "auto" -> model == null ? null : model.resolveSibling(model.getFileName() + suffix);
            default -> Path.of(mode);
        };
        return new ProfileFile(file, size, mtime);
    }

    /** Whether a profile made from a model of this size and time is fresh (always, when the model is unknown). */
    public boolean matches(long size, long mtime) {
        return modelSize < 0 || (size == modelSize && mtime == modelMtime);
    }
}
