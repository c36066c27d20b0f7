package dev.winnow.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps} as HF's {@code tojson} filter calls it: {@code ensure_ascii=False}
 * by default, optional {@code indent} (then item separator {@code ","}), {@code separators},
 * {@code sort_keys}; floats as Python writes them (NaN, Infinity).
 */
final class Json {
    private final boolean ensureAscii;
    private final String indent;
    private final String itemSep;
    private final String keySep;
    private final boolean sortKeys;

    private Json(boolean ensureAscii, String indent, String itemSep, String keySep, boolean sortKeys) {
        this.ensureAscii = ensureAscii;
        this.indent = indent;
        this.itemSep = itemSep;
        this.keySep = keySep;
        this.sortKeys = sortKeys;
    }

    /**
     * @param indent null, an int (spaces) or a string
     * @param separators null or a 2-item list (item separator, key separator)
     */
    static String dumps(Object value, boolean ensureAscii, Object indent, Object separators, boolean sortKeys) {
        String ind = null;
        if (indent != null && !(indent instanceof Undefined)) {
            if (indent instanceof String s) ind = s;
            else if (Py.isIntLike(indent)) ind = " ".repeat((int) Math.max(0, Py.toLong(indent)));
            else throw new JinjaError("tojson: indent must be an integer or a string, not '" + Py.typeName(indent) + "'");
        }
        String itemSep = ind == null ? ", " : ",";
        String keySep = ": ";
        if (separators != null && !(separators instanceof Undefined)) {
            if (!(separators instanceof List<?> l) || l.size() != 2 || !(l.get(0) instanceof String a)
                    || !(l.get(1) instanceof String b)) {
                throw new JinjaError("tojson: separators must be a pair of strings");
            }
            itemSep = a;
            keySep = b;
        }
        StringBuilder out = new StringBuilder();
        new Json(ensureAscii, ind, itemSep, keySep, sortKeys).write(value, out, 0);
        return out.toString();
    }

    private void newline(StringBuilder out, int level) {
        if (indent == null) return;
        out.append('\n');
        for (int i = 0; i < level; i++) out.append(indent);
    }

    private void write(Object v, StringBuilder out, int level) {
        if (level > 500) throw new JinjaError("tojson: maximum nesting depth exceeded");
        switch (v) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case Long l -> out.append(l);
            case Double d -> out.append(number(d));
            case String s -> string(s, out);
            case Markup m -> string(m.value, out);
            case PyGenerator g -> write(g.drain(), out, level);
            case List<?> l -> {
                if (l.isEmpty()) {
                    out.append("[]");
                    return;
                }
                out.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) out.append(itemSep);
                    newline(out, level + 1);
                    write(l.get(i), out, level + 1);
                }
                newline(out, level);
                out.append(']');
            }
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    out.append("{}");
                    return;
                }
                List<Map.Entry<String, Object>> entries = new ArrayList<>();
                for (Map.Entry<?, ?> e : m.entrySet()) entries.add(Map.entry(key(e.getKey()), nullSafe(e.getValue())));
                if (sortKeys) entries.sort((a, b) -> Py.compareStrings(a.getKey(), b.getKey()));
                out.append('{');
                boolean first = true;
                for (Map.Entry<String, Object> e : entries) {
                    if (!first) out.append(itemSep);
                    first = false;
                    newline(out, level + 1);
                    string(e.getKey(), out);
                    out.append(keySep);
                    write(e.getValue() == NULL ? null : e.getValue(), out, level + 1);
                }
                newline(out, level);
                out.append('}');
            }
            default -> throw new JinjaError("Object of type " + Py.typeName(v) + " is not JSON serializable");
        }
    }

    private static final Object NULL = new Object();

    private static Object nullSafe(Object v) {
        return v == null ? NULL : v;
    }

    private static String key(Object k) {
        return switch (k) {
            case String s -> s;
            case null -> "null";
            case Boolean b -> b ? "true" : "false";
            case Long l -> l.toString();
            case Double d -> number(d);
            default -> throw new JinjaError("keys must be str, int, float, bool or None, not " + Py.typeName(k));
        };
    }

    private static String number(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        return Py.floatRepr(d);
    }

    private void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }
}
