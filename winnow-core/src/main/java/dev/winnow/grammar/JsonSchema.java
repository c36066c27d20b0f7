package dev.winnow.grammar;

import java.util.Map;
import java.util.Objects;

/**
 * A JSON schema as a response format: {@link #parse} reads it, {@link #grammar()} is the compiled
 * grammar whose sentences are exactly JSON documents (compact, at most single spaces between
 * tokens) valid under the schema. {@link #anyJson()} is any JSON value. Unsupported keywords are
 * a {@link GrammarException} naming the keyword and where it is, never ignored.
 */
public final class JsonSchema {
    private final Object schema;
    private final String gbnf;
    private final Grammar grammar;

    private JsonSchema(Object schema) {
        this.schema = schema;
        this.gbnf = new SchemaCompiler(schema).compile();
        this.grammar = Grammar.parse(gbnf);
    }

    /** Compiles a schema given as JSON text. */
    public static JsonSchema parse(String schemaJson) {
        Objects.requireNonNull(schemaJson, "schemaJson");
        Object s;
        try {
            s = Json.parse(schemaJson);
        } catch (IllegalArgumentException e) {
            throw new GrammarException("JSON schema is not valid JSON: " + e.getMessage());
        }
        return new JsonSchema(s);
    }

    /** Compiles a schema given as parsed JSON (maps, lists, strings, numbers, booleans). */
    public static JsonSchema of(Map<String, ?> schema) {
        return new JsonSchema(schema);
    }

    /** Any JSON value. */
    public static JsonSchema anyJson() {
        return new JsonSchema(Boolean.TRUE);
    }

    /** Any JSON object ({@code response_format: json_object}). */
    public static JsonSchema anyObject() {
        return new JsonSchema(Map.of("type", "object"));
    }

    public Grammar grammar() {
        return grammar;
    }

    /** The grammar in GBNF (llama.cpp's format). */
    public String gbnf() {
        return gbnf;
    }

    /** The schema as parsed JSON. */
    public Object schema() {
        return schema;
    }
}
