package dev.winnow.template;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Jinja's built-in tests ({@code x is defined}, {@code x is string}, ...). */
final class Tests {
    private Tests() {
    }

    private static final Set<String> NAMES = Set.of("odd", "even", "divisibleby", "defined", "undefined", "filter",
            "test", "none", "boolean", "false", "true", "integer", "float", "lower", "upper", "string", "mapping",
            "number", "sequence", "iterable", "callable", "sameas", "escaped", "in", "==", "eq", "equalto", "!=", "ne",
            ">", "gt", "greaterthan", ">=", "ge", "<", "lt", "lessthan", "<=", "le");

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    static boolean apply(String name, Object v, List<Object> args, Map<String, Object> kw) {
        if (!NAMES.contains(name)) throw new JinjaError("no test named '" + name + "'");
        Object other = !args.isEmpty() ? args.getFirst() : kw.values().stream().findFirst().orElse(Py.MISSING);
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "number" -> Py.isNumber(v);
            case "string" -> v instanceof String || v instanceof Markup;
            case "mapping" -> v instanceof Map;
            case "iterable" -> v instanceof List || v instanceof Map || v instanceof String || v instanceof Markup
                    || v instanceof Undefined || v instanceof PyGenerator;
            case "sequence" -> v instanceof List || v instanceof Map || v instanceof String || v instanceof Markup
                    || v instanceof Undefined;
            case "callable" -> v instanceof JinjaCallable || v instanceof Undefined; // Undefined has __call__
            case "escaped" -> false;
            case "lower" -> isCase(Py.str(v), false);
            case "upper" -> isCase(Py.str(v), true);
            case "odd" -> Py.eq(Py.binary("%", v, 2L), 1L);
            case "even" -> Py.eq(Py.binary("%", v, 2L), 0L);
            case "divisibleby" -> Py.eq(Py.binary("%", v, need(other, name)), 0L);
            case "filter" -> Py.unwrap(v) instanceof String s && Filters.exists(s);
            case "test" -> Py.unwrap(v) instanceof String s && exists(s);
            case "sameas" -> {
                Object o = need(other, name);
                yield v == o || (v == null && o == null) || (v instanceof Boolean && v.equals(o));
            }
            case "in" -> Py.contains(need(other, name), v);
            case "==", "eq", "equalto" -> Py.eq(v, need(other, name));
            case "!=", "ne" -> !Py.eq(v, need(other, name));
            case ">", "gt", "greaterthan" -> Py.compare(v, need(other, name), ">") > 0;
            case ">=", "ge" -> Py.compare(v, need(other, name), ">=") >= 0;
            case "<", "lt", "lessthan" -> Py.compare(v, need(other, name), "<") < 0;
            case "<=", "le" -> Py.compare(v, need(other, name), "<=") <= 0;
            default -> throw new IllegalStateException(name);
        };
    }

    /** Python's str.islower()/isupper(): at least one cased character, and no cased character of the other case. */
    private static boolean isCase(String s, boolean upper) {
        boolean cased = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (Character.isUpperCase(c) || Character.isTitleCase(c)) {
                if (!upper) return false;
                cased = true;
            } else if (Character.isLowerCase(c)) {
                if (upper) return false;
                cased = true;
            }
        }
        return cased;
    }

    private static Object need(Object other, String test) {
        if (other == Py.MISSING) throw new JinjaError("test '" + test + "' needs an argument");
        return other;
    }
}
