package dev.winnow.grammar;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The schemas of the structured-output suite: the hand-written ones in
 * {@code grammar/schemas.jsonl} (one per line) followed by {@link #GENERATED} seeded random ones
 * ({@link RandomSchemas}).
 */
final class SchemaCorpus {
    static final int GENERATED = 16;
    static final long SEED = 17;

    private SchemaCorpus() {
    }

    static List<String> handWritten() {
        List<String> out = new ArrayList<>();
        try (var in = SchemaCorpus.class.getResourceAsStream("/grammar/schemas.jsonl")) {
            if (in == null) throw new IllegalStateException("test resource grammar/schemas.jsonl is missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) if (!line.isBlank()) out.add(line.strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static List<String> generated() {
        return RandomSchemas.generate(SEED, GENERATED);
    }

    /**
     * Whether the schema admits values of unbounded size: a free string (no maxLength, no enum or
     * const), a pattern with {@code * +} or without {@code $}, an array without maxItems, an object
     * open to any properties, or any JSON. A real model that keeps writing (stories260K fills
     * strings with stories) may then legitimately run out of tokens before the value closes.
     */
    static boolean isOpenEnded(String schemaText) {
        try {
            return open(MAPPER.readTree(schemaText));
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

    private static boolean open(com.fasterxml.jackson.databind.JsonNode s) {
        if (s.isBoolean()) return s.booleanValue();
        if (s.has("const") || s.has("enum")) return false;
        if (s.has("$defs") || s.has("definitions")) {
            for (var d : s.has("$defs") ? s.get("$defs") : s.get("definitions")) if (open(d)) return true;
        }
        for (String k : List.of("anyOf", "oneOf", "allOf", "prefixItems")) {
            if (s.has(k)) for (var sub : s.get(k)) if (open(sub)) return true;
        }
        if (s.has("$ref")) return false; // the target is checked among the $defs
        if (s.has("properties")) for (var p : s.get("properties")) if (open(p)) return true;
        var type = s.get("type");
        String t = type == null ? (s.has("properties") ? "object" : s.has("items") ? "array" : "") : type.isArray() ? type.toString() : type.asText();
        if (t.contains("string")) {
            if (s.has("pattern")) {
                String p = s.get("pattern").asText();
                if (p.contains("*") || p.contains("+") || !p.endsWith("$")) return true;
            } else if (!s.has("maxLength") && !s.has("format")) {
                return true;
            }
        }
        if (t.contains("array")) {
            if (s.has("items") && open(s.get("items"))) return true;
            if (!s.has("maxItems") && !s.has("prefixItems") && !(s.has("items") && s.get("items").isBoolean())) return true;
        }
        if (t.contains("object")) {
            var add = s.get("additionalProperties");
            boolean closed = add != null && add.isBoolean() && !add.booleanValue();
            boolean listed = s.has("properties") && !s.get("properties").isEmpty();
            if (!closed && !listed) return true;
        }
        return t.isEmpty() && s.isEmpty();
    }

    static List<String> all() {
        List<String> out = new ArrayList<>(handWritten());
        out.addAll(generated());
        return out;
    }
}
