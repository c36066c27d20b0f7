package dev.winnow.cli.docs;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One row of {@code winnow kv compare}, as recorded with {@code -o FILE} (one JSON line, snake_case):
 * the spec's top-1 agreement with the full cache along its greedy continuation, what it held at
 * the end (entries per head, mean) and at its peak (the most one head held after any forward
 * pass), entries read per head and decoding step, bytes, bits per key/value number and decode speed.
 */
public record CompareRecord(String model, String prompt, int tokens, String spec, double entriesPerHead, int peakEntries,
                            double readPerStep, long kvBytes, long kvBytesAllocated, double bitsPerValue, double top1,
                            double decodeTokensPerSecond) {
    static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a file of records; a malformed line is an error naming the file and line. */
    public static List<CompareRecord> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new DocsException(file + ": cannot read (" + e.getMessage() + ")");
        }
        List<CompareRecord> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            try {
                CompareRecord r = JSON.readValue(lines.get(i), CompareRecord.class);
                if (r.spec() == null) throw new IOException("missing field 'spec'");
                out.add(r);
            } catch (IOException e) {
                throw new DocsException(file + ":" + (i + 1) + ": not a kv compare record (" + firstLine(e.getMessage()) + ")");
            }
        }
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) return "malformed";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
