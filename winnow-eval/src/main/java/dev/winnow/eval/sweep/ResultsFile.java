package dev.winnow.eval.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.winnow.eval.EvalException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The results file of a sweep: one {@link CellResult} per line (JSON Lines), appended as each
 * cell finishes and flushed to disk, so an interrupted sweep loses at most the cell it was
 * computing. A last line cut short by an interruption (no final newline) is dropped when the
 * file is read and removed before the next append; any other bad line is an error naming it.
 */
public final class ResultsFile {
    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private ResultsFile() {
    }

    /** The results in a file (empty when the file does not exist). */
    public static List<CellResult> read(Path path) {
        if (!Files.exists(path)) return new ArrayList<>();
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<CellResult> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        boolean complete = text.isEmpty() || text.endsWith("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) continue;
            boolean last = i == lines.length - 1;
            try {
                CellResult r = JSON.readValue(line, CellResult.class);
                if (r.cell() == null || r.spec() == null || r.task() == null) {
                    throw new EvalException(path + ":" + (i + 1) + ": not a Winnow result record (no cell, task or spec)");
                }
                out.add(r);
            } catch (JsonProcessingException e) {
                if (last && !complete) break; // an interrupted write: dropped, and removed before the next append
                throw new EvalException(path + ":" + (i + 1) + ": not a Winnow result record ("
                        + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
            }
        }
        return out;
    }

    /** Reads several files, in order. */
    public static List<CellResult> readAll(List<Path> paths) {
        List<CellResult> out = new ArrayList<>();
        for (Path p : paths) {
            if (!Files.exists(p)) throw new EvalException(p + ": no such file");
            out.addAll(read(p));
        }
        return out;
    }

    /** The JSON line of a result (no newline). */
    public static String toJson(CellResult r) {
        try {
            return JSON.writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a result: " + e.getMessage(), e);
        }
    }

    /**
     * Removes a last line cut short by an interruption (text after the last newline).
     *
     * @return true when something was removed
     */
    public static boolean repairTail(Path path) {
        if (!Files.exists(path)) return false;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size == 0) return false;
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, size - 1);
            if (one.get(0) == '\n') return false;
            long pos = size - 1;
            ByteBuffer b = ByteBuffer.allocate(1);
            while (pos > 0) {
                b.clear();
                ch.read(b, pos - 1);
                if (b.get(0) == '\n') break;
                pos--;
            }
            ch.truncate(pos);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends one result as a line and forces it to disk. */
    public static void append(Path path, CellResult r) {
        byte[] line = (toJson(r) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buf = ByteBuffer.wrap(line);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
