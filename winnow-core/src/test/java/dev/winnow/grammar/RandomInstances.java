package dev.winnow.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Random documents valid under a JSON schema, written as compact JSON text the way the grammar
 * engine's language is defined (properties in schema order, no whitespace), built directly from
 * the schema (Jackson tree) without the grammar engine. Strings mix ASCII, characters JSON must
 * escape, {@code \}{@code u} escapes, and 2-, 3- and 4-byte UTF-8. Patterns are supported in the
 * simple form {@code ^(piece)*$} (a piece: a literal, {@code \d} or a class, with an optional
 * {@code {m}} or {@code {m,n}}); anything else is an {@link UnsupportedOperationException}.
 */
final class RandomInstances {
    private static final int[] PALETTE = {'a', 'b', 'z', 'Q', '0', '7', ' ', '-', '_', '/', '"', '\\', '\n', '\t', 0x01, 0x7F,
            'é', 'ß', 'Ж', '中', '語', 0x1F600, 0x1F9E0, '{', '}', '[', ']', ':', ','};

    private final JsonNode root;
    private final SplittableRandom r;

    RandomInstances(JsonNode root, long seed) {
        this.root = root;
        this.r = new SplittableRandom(seed);
    }

    String next() {
        StringBuilder sb = new StringBuilder();
        value(root, sb, 0);
        return sb.toString();
    }

    private void value(JsonNode s, StringBuilder sb, int depth) {
        if (s.isBoolean()) {
            if (!s.booleanValue()) throw new IllegalArgumentException("false schema");
            anyValue(sb, depth);
            return;
        }
        if (s.has("$ref")) {
            value(resolve(s.get("$ref").asText()), sb, depth);
            return;
        }
        if (s.has("const")) {
            sb.append(compact(s.get("const")));
            return;
        }
        if (s.has("enum")) {
            JsonNode e = s.get("enum");
            sb.append(compact(e.get(r.nextInt(e.size()))));
            return;
        }
        for (String k : List.of("anyOf", "oneOf")) {
            if (s.has(k)) {
                JsonNode alts = s.get(k);
                value(alts.get(r.nextInt(alts.size())), sb, depth);
                return;
            }
        }
        if (s.has("allOf")) {
            object(mergeAllOf(s), sb, depth);
            return;
        }
        JsonNode type = s.get("type");
        String t;
        if (type == null) t = inferType(s);
        else if (type.isArray()) t = type.get(r.nextInt(type.size())).asText();
        else t = type.asText();
        switch (t) {
            case "object" -> object(s, sb, depth);
            case "array" -> array(s, sb, depth);
            case "string" -> string(s, sb);
            case "integer" -> integer(s, sb);
            case "number" -> sb.append(number());
            case "boolean" -> sb.append(r.nextBoolean());
            case "null" -> sb.append("null");
            case "any" -> anyValue(sb, depth);
            default -> throw new UnsupportedOperationException("type " + t);
        }
    }

    private static String inferType(JsonNode s) {
        if (s.has("properties") || s.has("required") || s.has("additionalProperties")) return "object";
        if (s.has("items") || s.has("prefixItems") || s.has("minItems") || s.has("maxItems")) return "array";
        if (s.has("minLength") || s.has("maxLength") || s.has("pattern")) return "string";
        if (s.has("minimum") || s.has("maximum")) return "number";
        return "any";
    }

    private JsonNode mergeAllOf(JsonNode s) {
        var merged = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        var props = merged.putObject("properties");
        var req = merged.putArray("required");
        List<JsonNode> parts = new ArrayList<>();
        parts.add(s);
        for (JsonNode sub : s.get("allOf")) parts.add(sub.has("$ref") ? resolve(sub.get("$ref").asText()) : sub);
        for (JsonNode p : parts) {
            if (p.has("properties")) props.setAll((com.fasterxml.jackson.databind.node.ObjectNode) p.get("properties"));
            if (p.has("required")) for (JsonNode n : p.get("required")) req.add(n);
        }
        return merged;
    }

    private void object(JsonNode s, StringBuilder sb, int depth) {
        JsonNode props = s.get("properties");
        Set<String> required = new LinkedHashSet<>();
        if (s.has("required")) for (JsonNode n : s.get("required")) required.add(n.asText());
        sb.append('{');
        boolean first = true;
        if (props != null && !props.isEmpty()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!required.contains(e.getKey()) && r.nextInt(3) == 0) continue;
                if (!first) sb.append(',');
                first = false;
                writeString(e.getKey(), sb, false);
                sb.append(':');
                value(e.getValue(), sb, depth + 1);
            }
        } else {
            JsonNode additional = s.get("additionalProperties");
            if (additional == null || !additional.isBoolean() || additional.booleanValue()) {
                int n = depth > 2 ? 0 : r.nextInt(4);
                Map<String, Boolean> seen = new LinkedHashMap<>();
                for (int k = 0; k < n; k++) {
                    String key = randomText(0, 5);
                    if (seen.put(key, true) != null) continue;
                    if (!first) sb.append(',');
                    first = false;
                    writeString(key, sb, true);
                    sb.append(':');
                    if (additional == null || additional.isBoolean()) anyValue(sb, depth + 1);
                    else value(additional, sb, depth + 1);
                }
            }
        }
        sb.append('}');
    }

    private void array(JsonNode s, StringBuilder sb, int depth) {
        sb.append('[');
        if (s.has("prefixItems")) {
            JsonNode prefix = s.get("prefixItems");
            for (int k = 0; k < prefix.size(); k++) {
                if (k > 0) sb.append(',');
                value(prefix.get(k), sb, depth + 1);
            }
            JsonNode items = s.get("items");
            if (items == null || !(items.isBoolean() && !items.booleanValue())) {
                int extra = r.nextInt(3);
                for (int k = 0; k < extra; k++) {
                    sb.append(',');
                    if (items == null) anyValue(sb, depth + 1);
                    else value(items, sb, depth + 1);
                }
            }
            sb.append(']');
            return;
        }
        JsonNode items = s.get("items");
        int min = s.path("minItems").asInt(0);
        int max = s.has("maxItems") ? s.get("maxItems").asInt() : min + 4;
        if (items != null && items.isBoolean() && !items.booleanValue()) max = 0;
        int n = min + r.nextInt(max - min + 1);
        for (int k = 0; k < n; k++) {
            if (k > 0) sb.append(',');
            if (items == null) anyValue(sb, depth + 1);
            else value(items, sb, depth + 1);
        }
        sb.append(']');
    }

    private void string(JsonNode s, StringBuilder sb) {
        if (s.has("pattern")) {
            writeString(fromPattern(s.get("pattern").asText()), sb, true);
            return;
        }
        if (s.has("format")) throw new UnsupportedOperationException("format");
        int min = s.path("minLength").asInt(0);
        int max = s.has("maxLength") ? s.get("maxLength").asInt() : min + 12;
        writeString(randomText(min, max), sb, true);
    }

    private String randomText(int min, int max) {
        int n = min + r.nextInt(max - min + 1);
        StringBuilder t = new StringBuilder();
        for (int k = 0; k < n; k++) t.appendCodePoint(PALETTE[r.nextInt(PALETTE.length)]);
        return t.toString();
    }

    /** A JSON string literal; with {@code vary}, sometimes escapes a character JSON lets through raw. */
    private void writeString(String text, StringBuilder sb, boolean vary) {
        sb.append('"');
        text.codePoints().forEach(cp -> {
            switch (cp) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '/' -> sb.append(vary && r.nextBoolean() ? "\\/" : "/");
                default -> {
                    if (cp < 0x20 || cp == 0x7F) sb.append(String.format("\\u%04x", cp));
                    else if (vary && cp > 0x7F && cp < 0xD800 && r.nextInt(3) == 0) sb.append(String.format("\\u%04X", cp));
                    else sb.appendCodePoint(cp);
                }
            }
        });
        sb.append('"');
    }

    private void integer(JsonNode s, StringBuilder sb) {
        long lo = -999_999_999_999L, hi = 999_999_999_999L;
        if (s.has("minimum")) lo = (long) Math.ceil(s.get("minimum").asDouble());
        if (s.has("exclusiveMinimum")) lo = (long) Math.floor(s.get("exclusiveMinimum").asDouble()) + 1;
        if (s.has("maximum")) hi = (long) Math.floor(s.get("maximum").asDouble());
        if (s.has("exclusiveMaximum")) hi = (long) Math.ceil(s.get("exclusiveMaximum").asDouble()) - 1;
        // Favour the edges and short numbers as well as uniform picks.
        long v = switch (r.nextInt(4)) {
            case 0 -> lo;
            case 1 -> hi;
            case 2 -> Math.max(lo, Math.min(hi, r.nextLong(-100, 101)));
            default -> lo + (long) (r.nextDouble() * (hi - lo + 1.0));
        };
        sb.append(Math.max(lo, Math.min(hi, v)));
    }

    private String number() {
        StringBuilder n = new StringBuilder();
        if (r.nextBoolean()) n.append('-');
        n.append(r.nextInt(4) == 0 ? "0" : Long.toString(r.nextLong(1, 10_000_000)));
        if (r.nextBoolean()) n.append('.').append(Long.toString(r.nextLong(0, 1_000_000)));
        if (r.nextInt(3) == 0) n.append(r.nextBoolean() ? 'e' : 'E').append(List.of("", "+", "-").get(r.nextInt(3))).append(r.nextInt(1, 99));
        return n.toString();
    }

    private void anyValue(StringBuilder sb, int depth) {
        switch (r.nextInt(depth > 2 ? 5 : 7)) {
            case 0 -> writeString(randomText(0, 6), sb, true);
            case 1 -> sb.append(number());
            case 2 -> sb.append(r.nextBoolean());
            case 3 -> sb.append("null");
            case 4 -> sb.append(r.nextLong(-1000, 1000));
            case 5 -> object(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), sb, depth + 1);
            default -> array(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("maxItems", 3), sb, depth + 1);
        }
    }

    private String fromPattern(String p) {
        if (!p.startsWith("^") || !p.endsWith("$")) throw new UnsupportedOperationException("pattern " + p);
        StringBuilder out = new StringBuilder();
        int i = 1, end = p.length() - 1;
        while (i < end) {
            List<int[]> ranges = new ArrayList<>();
            char c = p.charAt(i);
            if (c == '[') {
                int close = p.indexOf(']', i);
                for (int k = i + 1; k < close; k++) {
                    if (k + 2 < close && p.charAt(k + 1) == '-') {
                        ranges.add(new int[] {p.charAt(k), p.charAt(k + 2)});
                        k += 2;
                    } else {
                        ranges.add(new int[] {p.charAt(k), p.charAt(k)});
                    }
                }
                i = close + 1;
            } else if (c == '\\' && p.charAt(i + 1) == 'd') {
                ranges.add(new int[] {'0', '9'});
                i += 2;
            } else if (Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == ' ') {
                ranges.add(new int[] {c, c});
                i++;
            } else {
                throw new UnsupportedOperationException("pattern " + p);
            }
            int lo = 1, hi = 1;
            if (i < end && p.charAt(i) == '{') {
                int close = p.indexOf('}', i);
                String[] mn = p.substring(i + 1, close).split(",", -1);
                lo = Integer.parseInt(mn[0]);
                hi = mn.length == 1 ? lo : Integer.parseInt(mn[1]);
                i = close + 1;
            }
            int n = lo + r.nextInt(hi - lo + 1);
            for (int k = 0; k < n; k++) {
                int[] rg = ranges.get(r.nextInt(ranges.size()));
                out.append((char) (rg[0] + r.nextInt(rg[1] - rg[0] + 1)));
            }
        }
        return out.toString();
    }

    private JsonNode resolve(String ref) {
        JsonNode at = root.at(ref.substring(1));
        if (at.isMissingNode()) throw new IllegalArgumentException("unresolved " + ref);
        return at;
    }

    private static String compact(JsonNode v) {
        return v.toString();
    }
}
