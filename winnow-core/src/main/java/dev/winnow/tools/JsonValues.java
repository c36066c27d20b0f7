package dev.winnow.tools;

import dev.winnow.grammar.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Conversions between {@link Json}'s values and the plain values chat templates take. */
final class JsonValues {
    private JsonValues() {
    }

    /**
     * The value with {@link Json#NULL} as Java null and decimals as doubles (what a template's
     * {@code tojson} writes back as Python would).
     */
    static Object plain(Object v) {
        if (v == Json.NULL) return null;
        if (v instanceof BigDecimal d) return d.doubleValue();
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) out.put(String.valueOf(e.getKey()), plain(e.getValue()));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object x : l) out.add(plain(x));
            return out;
        }
        return v;
    }

    /** Parses JSON text, or returns null when it is not valid JSON. */
    static Object tryParse(String text) {
        try {
            return Json.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
