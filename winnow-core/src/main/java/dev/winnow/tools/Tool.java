package dev.winnow.tools;

import dev.winnow.grammar.GrammarException;
import dev.winnow.grammar.Json;
import dev.winnow.grammar.JsonSchema;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A function the model may call: its name, a description and the JSON schema of its arguments
 * (an object schema; null means "no arguments", i.e. {@code {"type": "object", "properties": {}}}).
 * The schema is compiled once, here, so an unsupported keyword fails when the tool is declared.
 */
public final class Tool {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final String name;
    private final String description;
    private final Object parameters;
    private final Object declared;
    private final JsonSchema schema;

    private Tool(String name, String description, Object parameters) {
        this.name = Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("tool name '" + name + "' must be 1-64 characters of a-z, A-Z, 0-9, _, . or -");
        }
        this.description = description;
        if (parameters == null) parameters = Map.of("type", "object", "properties", Map.of());
        this.declared = parameters;
        if (!(parameters instanceof Map<?, ?> given)) {
            throw new IllegalArgumentException("tool '" + name + "': parameters must be a JSON schema object");
        }
        if (!given.containsKey("type") && (given.isEmpty() || given.containsKey("properties"))) {
            // {} or properties without a type (as clients send them): the arguments are still an object
            Map<Object, Object> withType = new LinkedHashMap<>();
            withType.put("type", "object");
            withType.putAll(given);
            parameters = withType;
        }
        this.parameters = parameters;
        try {
            @SuppressWarnings("unchecked")
            Map<String, ?> m = (Map<String, ?>) this.parameters;
            this.schema = JsonSchema.of(m);
        } catch (GrammarException e) {
            throw new IllegalArgumentException("tool '" + name + "' parameters: " + e.getMessage(), e);
        }
    }

    /** A tool whose parameters are a parsed JSON schema (maps, lists, strings, numbers; null = none). */
    public static Tool of(String name, String description, Map<String, ?> parameters) {
        return new Tool(name, description, parameters);
    }

    /** A tool whose parameters schema is JSON text (null = no parameters). */
    public static Tool of(String name, String description, String parametersJson) {
        Object p = null;
        if (parametersJson != null) {
            try {
                p = Json.parse(parametersJson);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("tool '" + name + "': parameters are not valid JSON: " + e.getMessage(), e);
            }
        }
        return new Tool(name, description, p);
    }

    public String name() {
        return name;
    }

    /** The description, or null. */
    public String description() {
        return description;
    }

    /** The arguments' JSON schema, parsed ({@code "type": "object"} added when it had no type). */
    public Object parameters() {
        return parameters;
    }

    /** The compiled arguments schema. */
    public JsonSchema schema() {
        return schema;
    }

    /** The tool as chat templates receive it: {@code {"type": "function", "function": {...}}}, plain Java values. */
    public Map<String, Object> toTemplateValue() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", name);
        if (description != null) f.put("description", description);
        f.put("parameters", JsonValues.plain(declared)); // as declared: the prompt shows what the client sent
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("type", "function");
        t.put("function", f);
        return t;
    }

    @Override
    public String toString() {
        return "Tool[" + name + "]";
    }
}
