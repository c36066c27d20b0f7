package dev.winnow.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded random JSON schemas built from the supported keywords: objects with required and
 * optional properties (sometimes {@code additionalProperties: false}), arrays with item counts,
 * enums, const, strings with length limits or simple patterns, integers with bounds, numbers,
 * booleans, null, anyOf/oneOf over distinct types, {@code $ref} into {@code $defs}, nesting.
 * Every string and array is bounded, so a sampler that picks tokens at random still finishes.
 * Patterns have the form {@code ^(piece)+$}, a piece being a literal letter or a class with a
 * bounded repetition, which {@link RandomInstances} can sample from.
 */
final class RandomSchemas {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] NAMES = {"id", "name", "kind", "value", "tags", "x", "y", "ok", "ünï", "a b", "key_2", "Δ"};
    private static final String[] WORDS = {"red", "green", "blue", "yes", "no", "ünïcødé", "日本", "a\"q", "tab\tx", ""};

    private final SplittableRandom r;
    private final ObjectNode defs = JSON.createObjectNode();

    private RandomSchemas(long seed) {
        r = new SplittableRandom(seed);
    }

    /** {@code count} schemas as JSON text. */
    static List<String> generate(long seed, int count) {
        List<String> out = new ArrayList<>();
        for (int k = 0; k < count; k++) out.add(new RandomSchemas(seed * 1000 + k).root().toString());
        return out;
    }

    private JsonNode root() {
        ObjectNode s = r.nextInt(3) == 0 ? (ObjectNode) any(1) : object(1);
        if (!defs.isEmpty()) {
            ObjectNode withDefs = JSON.createObjectNode();
            withDefs.set("$defs", defs);
            withDefs.setAll(s);
            return withDefs;
        }
        return s;
    }

    private JsonNode any(int depth) {
        int kind = r.nextInt(depth >= 3 ? 9 : 12);
        return switch (kind) {
            case 0 -> string();
            case 1 -> integer();
            case 2 -> obj("type", "number");
            case 3 -> obj("type", "boolean");
            case 4 -> obj("type", "null");
            case 5 -> enumeration();
            case 6 -> constant();
            case 7 -> pattern();
            case 8 -> union(depth);
            case 9 -> object(depth + 1);
            case 10 -> array(depth + 1);
            default -> ref(depth + 1);
        };
    }

    private ObjectNode object(int depth) {
        ObjectNode s = obj("type", "object");
        ObjectNode props = s.putObject("properties");
        ArrayNode req = JSON.createArrayNode();
        int n = 1 + r.nextInt(4);
        List<String> names = new ArrayList<>(List.of(NAMES));
        for (int k = 0; k < n; k++) {
            String name = names.remove(r.nextInt(names.size()));
            props.set(name, any(depth));
            if (r.nextBoolean()) req.add(name);
        }
        if (!req.isEmpty()) s.set("required", req);
        if (r.nextInt(3) == 0) s.put("additionalProperties", false);
        return s;
    }

    private ObjectNode array(int depth) {
        ObjectNode s = obj("type", "array");
        s.set("items", any(depth));
        return bounds(s, "Items", 3);
    }

    private ObjectNode string() {
        return bounds(obj("type", "string"), "Length", 8);
    }

    /** {@code min<what>} (0–2, left out when 0) and {@code max<what>} (min + 0…spread−1). */
    private ObjectNode bounds(ObjectNode s, String what, int spread) {
        int min = r.nextInt(3);
        if (min > 0) s.put("min" + what, min);
        s.put("max" + what, min + r.nextInt(spread));
        return s;
    }

    private ObjectNode integer() {
        ObjectNode s = obj("type", "integer");
        long lo = r.nextLong(-2000, 2000), hi = lo + r.nextLong(0, 5000);
        switch (r.nextInt(4)) {
            case 0 -> s.put("minimum", lo);
            case 1 -> s.put("maximum", hi);
            case 2 -> {
                s.put("exclusiveMinimum", lo - 1);
                s.put("exclusiveMaximum", hi + 1);
            }
            default -> {
                s.put("minimum", lo);
                s.put("maximum", hi);
            }
        }
        return s;
    }

    private ObjectNode enumeration() {
        ObjectNode s = JSON.createObjectNode();
        ArrayNode values = s.putArray("enum");
        int n = 1 + r.nextInt(4);
        for (int k = 0; k < n; k++) {
            switch (r.nextInt(4)) {
                case 0 -> values.add(r.nextInt(-50, 50));
                case 1 -> values.add(r.nextBoolean());
                case 2 -> values.addNull();
                default -> values.add(WORDS[r.nextInt(WORDS.length)]);
            }
        }
        return s;
    }

    private ObjectNode constant() {
        ObjectNode s = JSON.createObjectNode();
        if (r.nextBoolean()) s.put("const", WORDS[r.nextInt(WORDS.length)]);
        else s.putObject("const").put("n", r.nextInt(100)).putArray("l").add(true).addNull();
        return s;
    }

    private ObjectNode pattern() {
        StringBuilder p = new StringBuilder("^");
        int pieces = 1 + r.nextInt(3);
        String[] classes = {"a-z", "0-9", "A-Fx", "a-c0-2_"};
        for (int k = 0; k < pieces; k++) {
            if (r.nextInt(3) == 0) {
                p.append((char) ('a' + r.nextInt(26)));
            } else {
                int lo = r.nextInt(3);
                p.append('[').append(classes[r.nextInt(classes.length)]).append("]{").append(lo).append(',').append(lo + r.nextInt(4)).append('}');
            }
        }
        return obj("type", "string").put("pattern", p.append('$').toString());
    }

    /** anyOf/oneOf over alternatives of different JSON types, so oneOf means the same as anyOf. */
    private ObjectNode union(int depth) {
        ObjectNode s = JSON.createObjectNode();
        ArrayNode alts = s.putArray(r.nextBoolean() ? "anyOf" : "oneOf");
        List<Integer> kinds = new ArrayList<>(List.of(0, 1, 2, 3, 4));
        int n = 2 + r.nextInt(2);
        for (int k = 0; k < n; k++) {
            switch (kinds.remove(r.nextInt(kinds.size()))) {
                case 0 -> alts.add(string());
                case 1 -> alts.add(integer());
                case 2 -> alts.add(obj("type", "boolean"));
                case 3 -> alts.add(obj("type", "null"));
                default -> alts.add(depth < 3 ? array(depth + 1) : obj("type", "null"));
            }
        }
        return s;
    }

    private ObjectNode ref(int depth) {
        String name = "d" + defs.size();
        defs.set(name, depth < 3 ? object(depth) : string());
        return obj("$ref", "#/$defs/" + name);
    }

    private static ObjectNode obj(String k, String v) {
        return JSON.createObjectNode().put(k, v);
    }
}
