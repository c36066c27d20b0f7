package dev.winnow.eval.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.eval.EvalException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Recall sequences from a JSON file in the format of {@code ../shared/reference/recall-examples.json}:
 * <pre>{@code {"sequences": [{"tokens": [1, 12, …], "query_positions": [448, 450, …], "expected": [266, …]}, …]}}</pre>
 * Other top-level fields (model, seed, …) are ignored. Every error names the file and the field
 * ({@code recall.json: sequences[3].expected: missing}).
 *
 * @param path the file
 * @param sha256 the SHA-256 of its bytes (recorded with results, so a changed file makes new cells)
 * @param sequences the sequences, in file order
 */
public record RecallExamples(Path path, String sha256, List<RecallSequence> sequences) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FIELDS = "(each sequence needs tokens, query_positions, expected)";

    /** A short description for records: file name and the first 12 hex digits of the SHA-256. */
    public String id() {
        return path.getFileName() + "@" + sha256.substring(0, 12);
    }

    public static RecallExamples read(Path path) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new EvalException(path + ": no such file");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new EvalException(path + ": malformed JSON" + (loc != null ? " at line " + loc.getLineNr() + ", column "
                    + loc.getColumnNr() : "") + " (" + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (root == null || !root.isObject()) throw new EvalException(path + ": expected a JSON object with a 'sequences' list");
        JsonNode seqs = root.get("sequences");
        if (seqs == null || seqs.isNull()) throw new EvalException(path + ": missing field 'sequences' (a list of sequences)");
        if (!seqs.isArray()) throw new EvalException(path + ": field 'sequences' must be a list, got " + kind(seqs));
        if (seqs.isEmpty()) throw new EvalException(path + ": field 'sequences' is empty");
        List<RecallSequence> out = new ArrayList<>();
        for (int i = 0; i < seqs.size(); i++) out.add(sequence(path, i, seqs.get(i)));
        return new RecallExamples(path, sha256(bytes), List.copyOf(out));
    }

    private static RecallSequence sequence(Path path, int i, JsonNode node) {
        String where = path + ": sequences[" + i + "]";
        if (!node.isObject()) throw new EvalException(where + ": expected an object " + FIELDS + ", got " + kind(node));
        int[] tokens = ints(node, "tokens", where);
        int[] positions = ints(node, "query_positions", where);
        int[] expected = ints(node, "expected", where);
        if (positions.length != expected.length) {
            throw new EvalException(where + ": 'query_positions' has " + positions.length + " entries but 'expected' has "
                    + expected.length);
        }
        for (int k = 0; k < tokens.length; k++) {
            if (tokens[k] < 0) throw new EvalException(where + ".tokens[" + k + "]: token id " + tokens[k] + " is negative");
        }
        for (int k = 0; k < positions.length; k++) {
            int p = positions[k];
            if (p < 1 || p >= tokens.length - 1) {
                throw new EvalException(where + ".query_positions[" + k + "]: " + p + " is outside 1.." + (tokens.length - 2)
                        + " (a query needs its answer after it)");
            }
            if (k > 0 && p <= positions[k - 1]) {
                throw new EvalException(where + ".query_positions[" + k + "]: " + p + " does not come after " + positions[k - 1]);
            }
        }
        return new RecallSequence(tokens, positions, expected);
    }

    private static int[] ints(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) throw new EvalException(where + ": missing field '" + field + "' " + FIELDS);
        if (!v.isArray()) throw new EvalException(where + "." + field + ": expected a list of integers, got " + kind(v));
        if (v.isEmpty()) throw new EvalException(where + "." + field + ": is empty");
        int[] out = new int[v.size()];
        for (int k = 0; k < out.length; k++) {
            JsonNode e = v.get(k);
            if (!e.canConvertToInt() || !e.isIntegralNumber()) {
                throw new EvalException(where + "." + field + "[" + k + "]: expected an integer, got " + e);
            }
            out[k] = e.intValue();
        }
        return out;
    }

    private static String kind(JsonNode n) {
        return n.isTextual() ? "a string" : n.isNumber() ? "a number" : n.isObject() ? "an object" : n.isArray() ? "a list"
                : n.isBoolean() ? "a boolean" : n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
