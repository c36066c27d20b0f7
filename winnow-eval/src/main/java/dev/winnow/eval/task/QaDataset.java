package dev.winnow.eval.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.eval.EvalException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A JSONL file of QA items in LongBench's format: one JSON object per line with {@code context}
 * (string), {@code input} (the question, string) and {@code answers} (list of strings, or one
 * string); {@code _id} or {@code id} is used when present. Blank lines are skipped. Every error
 * names the file and the line.
 */
public record QaDataset(Path path, String sha256, List<Item> items) {
    /** One item; {@code line} is its 1-based line in the file. */
    public record Item(String id, int line, String context, String input, List<String> answers) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    public static QaDataset read(Path path) {
        List<Item> items = new ArrayList<>();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                sha.update((line + "\n").getBytes(StandardCharsets.UTF_8));
                if (line.isBlank()) continue;
                items.add(parse(path, n, line));
            }
        } catch (NoSuchFileException e) {
            throw new EvalException(path + ": no such file");
        } catch (CharacterCodingException e) {
            throw new EvalException(path + ": not UTF-8 text");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (items.isEmpty()) throw new EvalException(path + ": no items (expected one JSON object per line)");
        return new QaDataset(path, HexFormat.of().formatHex(sha.digest()), List.copyOf(items));
    }

    static Item parse(Path path, int line, String text) {
        String where = path + ":" + line + ": ";
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new EvalException(where + "malformed JSON (" + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
        }
        if (node == null || !node.isObject()) {
            throw new EvalException(where + "expected a JSON object with context, input and answers");
        }
        String context = string(node, "context", where);
        String input = string(node, "input", where);
        JsonNode a = node.get("answers");
        if (a == null || a.isNull()) throw new EvalException(where + "missing field 'answers' (each line needs context, input, answers)");
        List<String> answers = new ArrayList<>();
        if (a.isTextual()) {
            answers.add(a.asText());
        } else if (a.isArray()) {
            for (JsonNode e : a) {
                if (!e.isTextual()) throw new EvalException(where + "field 'answers' must be a list of strings");
                answers.add(e.asText());
            }
        } else {
            throw new EvalException(where + "field 'answers' must be a list of strings");
        }
        if (answers.isEmpty()) throw new EvalException(where + "field 'answers' is empty");
        JsonNode id = node.has("_id") ? node.get("_id") : node.get("id");
        return new Item(id != null && !id.isNull() ? id.asText() : "line" + line, line, context, input, List.copyOf(answers));
    }

    private static String string(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new EvalException(where + "missing field '" + field + "' (each line needs context, input, answers)");
        }
        if (!v.isTextual()) throw new EvalException(where + "field '" + field + "' must be a string");
        return v.asText();
    }
}
