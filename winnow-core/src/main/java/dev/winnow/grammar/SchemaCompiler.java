package dev.winnow.grammar;

import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON schema → GBNF, in the spirit of llama.cpp's json-schema-to-grammar: one rule per object,
 * {@code $ref} target and shared primitive; properties in schema order, required ones mandatory,
 * optional ones skippable; array item counts as {@code {m,n}} repetitions; integer bounds as digit
 * ranges. Values are compact JSON with at most one space between tokens and none after the value,
 * so generation can end exactly when the value is complete. Keywords that would change which
 * documents are valid but cannot be expressed are errors naming the keyword and its location.
 */
final class SchemaCompiler {
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment",
            "default", "examples", "readOnly", "writeOnly", "deprecated", "$defs", "definitions", "strict");
    private static final Set<String> SUPPORTED = Set.of("type", "properties", "required", "additionalProperties",
            "items", "prefixItems", "minItems", "maxItems", "enum", "const", "anyOf", "oneOf", "allOf", "$ref",
            "minLength", "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
            "exclusiveMaximum");
    private static final long MAX_INT = 999_999_999_999_999L;

    static final String PRIMITIVES = """
            ws ::= [ ]?
            char ::= [^"\\\\\\x00-\\x1F\\x7F] | "\\\\" (["\\\\/bfnrt] | "u" ([0-9a-cA-CeEfF] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2}))
            string ::= "\\"" char* "\\""
            integer ::= "-"? ([0] | [1-9] [0-9]{0,15})
            number ::= integer ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,2})?
            boolean ::= "true" | "false"
            null ::= "null"
            value ::= object | array | string | number | boolean | null
            object ::= "{" ws (string ws ":" ws value (ws "," ws string ws ":" ws value)* ws)? "}"
            array ::= "[" ws (value (ws "," ws value)* ws)? "]"
            """;

    private final Object root;
    private final Map<String, String> rules = new LinkedHashMap<>();
    private final Map<String, String> refRules = new HashMap<>();
    private int counter;

    SchemaCompiler(Object root) {
        this.root = root;
    }

    String compile() {
        String body = visit(root, "#");
        StringBuilder sb = new StringBuilder("root ::= [ ]? ").append(body).append('\n');
        for (Map.Entry<String, String> e : rules.entrySet()) sb.append(e.getKey()).append(" ::= ").append(e.getValue()).append('\n');
        sb.append(PRIMITIVES);
        return sb.toString();
    }

    private String visit(Object s, String path) {
        if (Boolean.TRUE.equals(s)) return "value";
        if (Boolean.FALSE.equals(s)) throw error(path, "schema 'false' matches nothing");
        if (!(s instanceof Map<?, ?> raw)) throw error(path, "a schema must be an object or a boolean");
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) raw;
        for (String k : m.keySet()) {
            if (!ANNOTATIONS.contains(k) && !SUPPORTED.contains(k)) {
                throw new GrammarException("unsupported JSON Schema feature '" + k + "' at " + path);
            }
        }
        if (m.containsKey("$ref")) {
            only(m, path, "$ref");
            return ref(string(m.get("$ref"), path + "/$ref"), path);
        }
        if (m.containsKey("const")) return literal(m.get("const"));
        if (m.containsKey("enum")) {
            List<?> values = list(m.get("enum"), path + "/enum");
            if (values.isEmpty()) throw error(path + "/enum", "enum must not be empty");
            List<String> alts = new ArrayList<>();
            for (Object v : values) alts.add(literal(v));
            return group(alts);
        }
        for (String key : List.of("anyOf", "oneOf")) {
            if (m.containsKey(key)) {
                only(m, path, key);
                List<?> subs = list(m.get(key), path + "/" + key);
                if (subs.isEmpty()) throw error(path + "/" + key, key + " must not be empty");
                List<String> alts = new ArrayList<>();
                for (int k = 0; k < subs.size(); k++) alts.add(visit(subs.get(k), path + "/" + key + "/" + k));
                return group(alts);
            }
        }
        if (m.containsKey("allOf")) return visit(mergeAllOf(m, path), path);
        Object type = m.get("type");
        if (type instanceof List<?> types) {
            List<String> alts = new ArrayList<>();
            for (Object t : types) {
                Map<String, Object> one = new LinkedHashMap<>(m);
                one.put("type", t);
                alts.add(visit(one, path));
            }
            if (alts.isEmpty()) throw error(path + "/type", "type list must not be empty");
            return group(alts);
        }
        String t = type == null ? inferType(m) : string(type, path + "/type");
        return switch (t) {
            case "object" -> object(m, path);
            case "array" -> array(m, path);
            case "string" -> stringType(m, path);
            case "integer" -> integer(m, path);
            case "number" -> number(m, path);
            case "boolean" -> "boolean";
            case "null" -> "null";
            case "any" -> "value";
            default -> throw error(path + "/type", "unknown type '" + t + "'");
        };
    }

    private static String inferType(Map<String, Object> m) {
        if (m.containsKey("properties") || m.containsKey("required") || m.containsKey("additionalProperties")) return "object";
        if (m.containsKey("items") || m.containsKey("prefixItems") || m.containsKey("minItems") || m.containsKey("maxItems")) return "array";
        if (m.containsKey("minLength") || m.containsKey("maxLength") || m.containsKey("pattern") || m.containsKey("format")) return "string";
        if (m.containsKey("minimum") || m.containsKey("maximum") || m.containsKey("exclusiveMinimum") || m.containsKey("exclusiveMaximum")) return "number";
        return "any";
    }

    /** Only annotations may accompany {@code keyword}. */
    private static void only(Map<String, Object> m, String path, String keyword) {
        for (String k : m.keySet()) {
            if (!k.equals(keyword) && !ANNOTATIONS.contains(k)) {
                throw new GrammarException("unsupported JSON Schema feature '" + k + "' next to '" + keyword + "' at " + path);
            }
        }
    }

    private Map<String, Object> mergeAllOf(Map<String, Object> m, String path) {
        List<?> subs = list(m.get("allOf"), path + "/allOf");
        Map<String, Object> merged = new LinkedHashMap<>(m);
        merged.remove("allOf");
        Map<String, Object> props = new LinkedHashMap<>();
        Set<Object> required = new LinkedHashSet<>();
        if (m.get("properties") instanceof Map<?, ?> p) p.forEach((k, v) -> props.put((String) k, v));
        if (m.get("required") instanceof List<?> r) required.addAll(r);
        for (int k = 0; k < subs.size(); k++) {
            Object sub = subs.get(k);
            String sp = path + "/allOf/" + k;
            if (sub instanceof Map<?, ?> sm && sm.containsKey("$ref") && sm.size() == 1) sub = resolve((String) sm.get("$ref"), sp);
            if (!(sub instanceof Map<?, ?> sm)) throw error(sp, "allOf items must be object schemas");
            for (Map.Entry<?, ?> e : sm.entrySet()) {
                String key = (String) e.getKey();
                switch (key) {
                    case "properties" -> ((Map<?, ?>) e.getValue()).forEach((pk, pv) -> props.put((String) pk, pv));
                    case "required" -> required.addAll((List<?>) e.getValue());
                    case "type" -> {
                        if (!"object".equals(e.getValue())) throw new GrammarException("unsupported JSON Schema feature 'allOf' of non-object schemas at " + sp);
                        merged.put("type", "object");
                    }
                    default -> {
                        if (!ANNOTATIONS.contains(key)) {
                            throw new GrammarException("unsupported JSON Schema feature '" + key + "' inside 'allOf' at " + sp);
                        }
                    }
                }
            }
        }
        merged.put("type", "object");
        merged.put("properties", props);
        merged.put("required", new ArrayList<>(required));
        return merged;
    }

    // ------------------------------------------------------------------ objects

    private String object(Map<String, Object> m, String path) {
        Map<?, ?> props = m.containsKey("properties") ? map(m.get("properties"), path + "/properties") : Map.of();
        List<?> req = m.containsKey("required") ? list(m.get("required"), path + "/required") : List.of();
        Object additional = m.get("additionalProperties");
        for (Object r : req) {
            if (!(r instanceof String name) || !props.containsKey(name)) {
                throw error(path + "/required", "required property '" + r + "' has no schema in 'properties'"
                        + " (additional required properties are not supported)");
            }
        }
        if (props.isEmpty()) {
            if (Boolean.FALSE.equals(additional)) return "\"{\" ws \"}\"";
            if (additional == null || Boolean.TRUE.equals(additional)) return "object";
            String v = visit(additional, path + "/additionalProperties");
            String kv = "string ws \":\" ws " + v;
            return define("map", "\"{\" ws (" + kv + " (ws \",\" ws " + kv + ")* ws)? \"}\"");
        }
        if (additional != null && !Boolean.FALSE.equals(additional)) {
            throw new GrammarException("unsupported JSON Schema feature 'additionalProperties' together with 'properties' at " + path);
        }
        List<String> kvs = new ArrayList<>();
        List<Boolean> required = new ArrayList<>();
        for (Map.Entry<?, ?> e : props.entrySet()) {
            String name = (String) e.getKey();
            String v = visit(e.getValue(), path + "/properties/" + name);
            kvs.add(gbnfLiteral(Json.write(name)) + " ws \":\" ws " + v);
            required.add(req.contains(name));
        }
        // B(i): properties i.. when nothing was written yet; A(i): when something was.
        String base = "obj" + (counter++);
        int n = kvs.size();
        String next = null; // B(i + 1) rule name, null for the empty tail
        for (int i = n - 1; i >= 0; i--) {
            String after = after(kvs, required, i + 1);
            String first = kvs.get(i) + (after.isEmpty() ? "" : " " + after);
            String body;
            if (required.get(i)) body = first;
            else body = next == null ? "(" + first + ")?" : "(" + first + " | " + next + ")";
            String name = base + "-" + i;
            rules.put(name, body.isEmpty() ? "\"\"" : body);
            next = name;
        }
        return define("object", "\"{\" ws " + next + " ws \"}\"");
    }

    private static String after(List<String> kvs, List<Boolean> required, int from) {
        StringBuilder sb = new StringBuilder();
        for (int j = from; j < kvs.size(); j++) {
            String part = "ws \",\" ws " + kvs.get(j);
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(required.get(j) ? part : "(" + part + ")?");
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ arrays

    private String array(Map<String, Object> m, String path) {
        int min = count(m, "minItems", path, 0);
        int max = count(m, "maxItems", path, -1);
        if (max >= 0 && max < min) throw error(path, "maxItems " + max + " < minItems " + min);
        if (m.containsKey("prefixItems")) {
            if (m.containsKey("minItems") || m.containsKey("maxItems")) {
                throw new GrammarException("unsupported JSON Schema feature 'minItems/maxItems' with 'prefixItems' at " + path);
            }
            List<?> prefix = list(m.get("prefixItems"), path + "/prefixItems");
            StringBuilder sb = new StringBuilder("\"[\" ws");
            for (int k = 0; k < prefix.size(); k++) {
                if (k > 0) sb.append(" ws \",\" ws");
                sb.append(' ').append(visit(prefix.get(k), path + "/prefixItems/" + k));
            }
            Object items = m.get("items");
            if (!Boolean.FALSE.equals(items) && !prefix.isEmpty()) {
                String item = items == null ? "value" : visit(items, path + "/items");
                sb.append(" (ws \",\" ws ").append(item).append(")*");
            }
            sb.append(" ws \"]\"");
            return define("tuple", sb.toString());
        }
        Object items = m.get("items");
        if (Boolean.FALSE.equals(items)) return "\"[\" ws \"]\"";
        String item = items == null ? "value" : visit(items, path + "/items");
        if (max == 0) return "\"[\" ws \"]\"";
        String rest = "(ws \",\" ws " + item + ")";
        String reps = max < 0 ? "{" + Math.max(0, min - 1) + ",}" : "{" + Math.max(0, min - 1) + "," + (max - 1) + "}";
        String body = item + " " + rest + reps;
        if (min == 0) body = "(" + body + ")?";
        return define("array", "\"[\" ws " + body + " ws \"]\"");
    }

    // ------------------------------------------------------------------ strings

    private String stringType(Map<String, Object> m, String path) {
        int min = count(m, "minLength", path, 0);
        int max = count(m, "maxLength", path, -1);
        if (max >= 0 && max < min) throw error(path, "maxLength " + max + " < minLength " + min);
        if (m.containsKey("format")) {
            if (m.containsKey("pattern") || m.containsKey("minLength") || m.containsKey("maxLength")) {
                throw new GrammarException("unsupported JSON Schema feature 'format' with length or pattern at " + path);
            }
            String f = string(m.get("format"), path + "/format");
            String body = switch (f) {
                case "date" -> "date";
                case "time" -> "time";
                case "date-time" -> "date \"T\" time";
                case "uuid" -> "hex{8} \"-\" hex{4} \"-\" hex{4} \"-\" hex{4} \"-\" hex{12}";
                default -> throw new GrammarException("unsupported JSON Schema feature 'format: " + f + "' at " + path
                        + " (supported: date, time, date-time, uuid)");
            };
            rules.putIfAbsent("hex", "[0-9a-fA-F]");
            rules.putIfAbsent("date", "[0-9]{4} \"-\" (\"0\" [1-9] | \"1\" [0-2]) \"-\" (\"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8])");
            rules.putIfAbsent("time", "([01] [0-9] | \"2\" [0-3]) \":\" [0-5] [0-9] \":\" [0-5] [0-9] (\".\" [0-9]{1,3})? (\"Z\" | [+-] ([01] [0-9] | \"2\" [0-3]) \":\" [0-5] [0-9])");
            return "\"\\\"\" " + body + " \"\\\"\"";
        }
        if (m.containsKey("pattern")) {
            if (m.containsKey("minLength") || m.containsKey("maxLength")) {
                throw new GrammarException("unsupported JSON Schema feature 'pattern' with minLength/maxLength at " + path);
            }
            String body = new RegexCompiler(string(m.get("pattern"), path + "/pattern"), path + "/pattern").compile();
            return define("pattern", "\"\\\"\" " + body + " \"\\\"\"");
        }
        if (min == 0 && max < 0) return "string";
        return "\"\\\"\" char{" + min + "," + (max < 0 ? "" : String.valueOf(max)) + "} \"\\\"\"";
    }

    // ------------------------------------------------------------------ numbers

    private String integer(Map<String, Object> m, String path) {
        if (!m.containsKey("minimum") && !m.containsKey("maximum") && !m.containsKey("exclusiveMinimum")
                && !m.containsKey("exclusiveMaximum")) {
            return "integer";
        }
        long lo = -MAX_INT, hi = MAX_INT;
        if (m.containsKey("minimum")) lo = Math.max(lo, bound(m.get("minimum"), path + "/minimum", true));
        if (m.containsKey("exclusiveMinimum")) lo = Math.max(lo, bound(m.get("exclusiveMinimum"), path + "/exclusiveMinimum", true, true));
        if (m.containsKey("maximum")) hi = Math.min(hi, bound(m.get("maximum"), path + "/maximum", false));
        if (m.containsKey("exclusiveMaximum")) hi = Math.min(hi, bound(m.get("exclusiveMaximum"), path + "/exclusiveMaximum", false, true));
        if (lo > hi) throw error(path, "no integer lies between the bounds");
        List<String> alts = new ArrayList<>();
        if (lo < 0) alts.add("\"-\" " + group(IntRanges.between(Math.max(1, hi < 0 ? -hi : 1), -lo)));
        if (hi >= 0) alts.add(group(IntRanges.between(Math.max(0, lo), hi)));
        return define("int", String.join(" | ", alts));
    }

    private String number(Map<String, Object> m, String path) {
        for (String k : List.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")) {
            if (m.containsKey(k)) {
                throw new GrammarException("unsupported JSON Schema feature '" + k + "' on type number at " + path
                        + " (bounds are supported on type integer)");
            }
        }
        return "number";
    }

    private static long bound(Object v, String path, boolean lower) {
        return bound(v, path, lower, false);
    }

    private static long bound(Object v, String path, boolean lower, boolean exclusive) {
        if (v instanceof Boolean) throw new GrammarException("unsupported JSON Schema feature 'boolean exclusive bounds (draft 4)' at " + path);
        BigDecimal d;
        if (v instanceof Long l) d = BigDecimal.valueOf(l);
        else if (v instanceof BigDecimal b) d = b;
        else throw error(path, "expected a number");
        BigDecimal r = lower ? d.setScale(0, java.math.RoundingMode.CEILING) : d.setScale(0, java.math.RoundingMode.FLOOR);
        if (exclusive && r.compareTo(d) == 0) r = lower ? r.add(BigDecimal.ONE) : r.subtract(BigDecimal.ONE);
        if (r.compareTo(BigDecimal.valueOf(MAX_INT)) > 0) return MAX_INT + 1;
        if (r.compareTo(BigDecimal.valueOf(-MAX_INT)) < 0) return -MAX_INT - 1;
        return r.longValueExact();
    }

    // ------------------------------------------------------------------ refs

    private String ref(String ref, String path) {
        String name = refRules.get(ref);
        if (name != null) return name;
        name = "ref" + (counter++) + "-" + ref.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-+|-+$", "");
        refRules.put(ref, name);
        rules.put(name, "\"\""); // placeholder keeps order; replaced below (recursion sees the name)
        rules.put(name, visit(resolve(ref, path), ref));
        return name;
    }

    private Object resolve(String ref, String path) {
        if (!ref.startsWith("#")) throw new GrammarException("unsupported JSON Schema feature 'remote $ref' (" + ref + ") at " + path);
        Object at = root;
        String pointer = URLDecoder.decode(ref.substring(1), StandardCharsets.UTF_8);
        if (pointer.isEmpty()) return root;
        if (!pointer.startsWith("/")) throw new GrammarException("unsupported JSON Schema feature '$ref to an anchor' (" + ref + ") at " + path);
        for (String part : pointer.substring(1).split("/", -1)) {
            String key = part.replace("~1", "/").replace("~0", "~");
            if (at instanceof Map<?, ?> mm && mm.containsKey(key)) at = mm.get(key);
            else if (at instanceof List<?> l && key.matches("\\d+") && Integer.parseInt(key) < l.size()) at = l.get(Integer.parseInt(key));
            else throw error(path, "$ref '" + ref + "' does not resolve");
        }
        return at;
    }

    // ------------------------------------------------------------------ helpers

    private String define(String hint, String body) {
        String name = hint + (counter++);
        rules.put(name, body);
        return name;
    }

    private static String group(List<String> alts) {
        return alts.size() == 1 ? alts.getFirst() : "(" + String.join(" | ", alts) + ")";
    }

    /** A JSON value written compactly, as a GBNF literal. */
    private static String literal(Object v) {
        return gbnfLiteral(Json.write(v));
    }

    static String gbnfLiteral(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\x%02X", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }

    private static int count(Map<String, Object> m, String key, String path, int dflt) {
        Object v = m.get(key);
        if (v == null) return dflt;
        if (!(v instanceof Long l) || l < 0 || l > 100_000) throw error(path + "/" + key, "expected an integer in [0, 100000], got " + v);
        return (int) (long) l;
    }

    private static String string(Object v, String path) {
        if (v instanceof String s) return s;
        throw error(path, "expected a string, got " + Json.write(v));
    }

    private static List<?> list(Object v, String path) {
        if (v instanceof List<?> l) return l;
        throw error(path, "expected an array");
    }

    private static Map<?, ?> map(Object v, String path) {
        if (v instanceof Map<?, ?> mm) return mm;
        throw error(path, "expected an object");
    }

    private static GrammarException error(String path, String what) {
        return new GrammarException("JSON schema at " + path + ": " + what);
    }
}
