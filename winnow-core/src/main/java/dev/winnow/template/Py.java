package dev.winnow.template;

import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Python value semantics as Jinja exposes them: truthiness, {@code str()} and {@code repr()},
 * equality and ordering, arithmetic, membership, iteration, {@code len()}, attribute/item access
 * and slicing.
 *
 * <p>Values inside the interpreter are canonical: {@code null} (None), {@link Undefined},
 * {@code Boolean}, {@code Long} (int), {@code Double} (float), {@code String}, {@code List}
 * (list; {@link PyTuple} for tuples), {@code Map} (dict), {@link Namespace}, {@link JinjaCallable},
 * {@link LoopContext}; any other Java object is opaque (rendered with {@code toString()}).
 */
final class Py {
    /** Marks "no such key" in lookups. */
    static final Object MISSING = new Object();

    private Py() {
    }

    // ---------------------------------------------------------------- conversion from Java

    /** Deep-converts a Java value into canonical form (records and maps → dict, arrays/collections → list). */
    static Object normalize(Object v) {
        return normalize(v, new IdentityHashMap<>());
    }

    private static Object normalize(Object v, IdentityHashMap<Object, Boolean> seen) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Long || v instanceof Double
                || v instanceof Undefined || v instanceof Namespace || v instanceof JinjaCallable
                || v instanceof PyTuple || v instanceof Markup || v instanceof PyGenerator || v instanceof LoopContext) {
            return v;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
        if (v instanceof Float f) return Double.parseDouble(f.toString());
        if (v instanceof BigInteger bi) return bi.bitLength() < 64 ? (Object) bi.longValue() : (Object) bi.doubleValue();
        if (v instanceof BigDecimal bd) return bd.doubleValue();
        if (v instanceof Number n) return n.doubleValue();
        if (v instanceof CharSequence || v instanceof Character) return v.toString();
        if (v instanceof Enum<?> e) return e.name();
        if (v instanceof Optional<?> o) return normalize(o.orElse(null), seen);
        if (seen.put(v, Boolean.TRUE) != null) {
            throw new IllegalArgumentException("template variables contain a cycle through " + v.getClass().getName());
        }
        try {
            if (v instanceof Map<?, ?> m) {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) out.put(normalize(e.getKey(), seen), normalize(e.getValue(), seen));
                return out;
            }
            if (v instanceof Iterable<?> it) {
                List<Object> out = new ArrayList<>(it instanceof Collection<?> c ? c.size() : 10);
                for (Object o : it) out.add(normalize(o, seen));
                return out;
            }
            if (v.getClass().isArray()) {
                int n = Array.getLength(v);
                List<Object> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) out.add(normalize(Array.get(v, i), seen));
                return out;
            }
            if (v instanceof Record r) {
                Map<Object, Object> out = new LinkedHashMap<>();
                try {
                    for (RecordComponent rc : r.getClass().getRecordComponents()) {
                        java.lang.reflect.Method accessor = rc.getAccessor();
                        accessor.trySetAccessible();
                        out.put(rc.getName(), normalize(accessor.invoke(r), seen));
                    }
                    return out;
                } catch (ReflectiveOperationException | RuntimeException e) {
                    return v; // not accessible: opaque
                }
            }
            return v;
        } finally {
            seen.remove(v);
        }
    }

    // ---------------------------------------------------------------- type names, truthiness

    static String typeName(Object v) {
        return switch (v) {
            case null -> "NoneType";
            case Boolean b -> "bool";
            case Long l -> "int";
            case Double d -> "float";
            case String s -> "str";
            case Markup m -> "Markup";
            case PyGenerator g -> "generator";
            case PyTuple t -> "tuple";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case Undefined u -> "Undefined";
            case Namespace n -> "Namespace";
            case Methods.Bound b -> "builtin_function_or_method";
            case Interpreter.MacroFn m -> "Macro";
            case JinjaCallable c -> "function";
            case LoopContext c -> "LoopContext";
            default -> v.getClass().getSimpleName();
        };
    }

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0.0;
            case String s -> !s.isEmpty();
            case Markup m -> !m.value.isEmpty();
            case List<?> l -> !l.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case Undefined u -> false;
            default -> true;
        };
    }

    // ---------------------------------------------------------------- str / repr

    static String str(Object v) {
        return switch (v) {
            case String s -> s;
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case Long l -> l.toString();
            case Double d -> floatRepr(d);
            case Undefined u -> "";
            case Markup m -> m.value;
            case PyGenerator g -> repr(v);
            case List<?> l -> repr(v);
            case Map<?, ?> m -> repr(v);
            case Namespace n -> repr(v);
            case JinjaCallable c -> repr(v);
            case LoopContext c -> repr(v);
            default -> v.toString();
        };
    }

    static String repr(Object v) {
        StringBuilder b = new StringBuilder();
        repr(v, b, 0);
        return b.toString();
    }

    private static void repr(Object v, StringBuilder b, int depth) {
        if (depth > 200) throw new JinjaError("maximum recursion depth exceeded in repr");
        if (v == null) {
            b.append("None");
            return;
        }
        switch (v) {
            case String s -> strRepr(s, b);
            case Markup m -> {
                b.append("Markup(");
                strRepr(m.value, b);
                b.append(')');
            }
            case PyGenerator g -> b.append("<generator object ").append(g.origin).append('>');
            case PyTuple t -> {
                b.append('(');
                for (int i = 0; i < t.size(); i++) {
                    if (i > 0) b.append(", ");
                    repr(t.get(i), b, depth + 1);
                }
                if (t.size() == 1) b.append(',');
                b.append(')');
            }
            case List<?> l -> {
                b.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) b.append(", ");
                    repr(l.get(i), b, depth + 1);
                }
                b.append(']');
            }
            case Map<?, ?> m -> {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) b.append(", ");
                    first = false;
                    repr(e.getKey(), b, depth + 1);
                    b.append(": ");
                    repr(e.getValue(), b, depth + 1);
                }
                b.append('}');
            }
            case Undefined u -> b.append("Undefined");
            case Namespace n -> {
                b.append("<Namespace ");
                repr(n.attrs, b, depth + 1);
                b.append('>');
            }
            case Methods.Bound m -> b.append("<built-in method ").append(m.name()).append(" of ")
                    .append(typeName(m.self())).append(" object>");
            case Interpreter.MacroFn m -> b.append("<Macro '").append(m.name()).append("'>");
            case JinjaCallable c -> b.append("<function ").append(c.name()).append('>');
            case LoopContext c -> b.append("<LoopContext ").append(c.index + 1).append('/').append(c.items.size()).append('>');
            default -> b.append(str(v));
        }
    }

    /** Python's repr() of a str. */
    static void strRepr(String s, StringBuilder b) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        b.append(quote);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == quote || c == '\\') b.append('\\').appendCodePoint(c);
            else if (c == '\t') b.append("\\t");
            else if (c == '\n') b.append("\\n");
            else if (c == '\r') b.append("\\r");
            else if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", c));
            else if (c < 0x7f || isPrintable(c)) b.appendCodePoint(c);
            else if (c <= 0xff) b.append(String.format("\\x%02x", c));
            else if (c <= 0xffff) b.append(String.format("\\u%04x", c));
            else b.append(String.format("\\U%08x", c));
        }
        b.append(quote);
    }

    private static boolean isPrintable(int c) {
        if (c == ' ') return true;
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                 Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /** Python's repr() of a float: shortest round-trip digits, scientific below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = bd.unscaledValue().toString();
        int exp = digits.length() - 1 - bd.scale();
        StringBuilder b = new StringBuilder();
        if (d < 0) b.append('-');
        if (exp >= -4 && exp < 16) {
            if (exp >= 0) {
                if (digits.length() <= exp + 1) {
                    b.append(digits).append("0".repeat(exp + 1 - digits.length())).append(".0");
                } else {
                    b.append(digits, 0, exp + 1).append('.').append(digits, exp + 1, digits.length());
                }
            } else {
                b.append("0.").append("0".repeat(-exp - 1)).append(digits);
            }
        } else {
            b.append(digits.charAt(0));
            if (digits.length() > 1) b.append('.').append(digits, 1, digits.length());
            b.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            if (a < 10) b.append('0');
            b.append(a);
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- whitespace helpers

    /** Python's str.isspace() for one code point. */
    static boolean isSpace(int c) {
        return c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f) || c == 0x85 || c == 0xa0
                || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f
                || c == 0x205f || c == 0x3000;
    }

    private static boolean inChars(int c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(Character.toString(c)) >= 0;
    }

    static String strip(String s, String chars) {
        return rstrip(lstrip(s, chars), chars);
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length()) {
            int c = s.codePointAt(i);
            if (!inChars(c, chars)) break;
            i += Character.charCount(c);
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int i = s.length();
        while (i > 0) {
            int c = s.codePointBefore(i);
            if (!inChars(c, chars)) break;
            i -= Character.charCount(c);
        }
        return s.substring(0, i);
    }

    // ---------------------------------------------------------------- numbers

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static boolean isIntLike(Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static long toLong(Object v) {
        return v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).longValue();
    }

    static double toDouble(Object v) {
        return v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).doubleValue();
    }

    /** An int argument (bools count) or an error naming {@code what}. */
    static long requireInt(Object v, String what) {
        if (isIntLike(v)) return toLong(v);
        if (v instanceof Undefined u) throw u.error();
        throw new JinjaError(what + " must be an integer, not '" + typeName(v) + "'");
    }

    // ---------------------------------------------------------------- equality and ordering

    static boolean eq(Object a, Object b) {
        a = unwrap(a);
        b = unwrap(b);
        if (a == b) return true;
        if (a == null || b == null) return false;
        if (a instanceof Undefined) return b instanceof Undefined;
        if (b instanceof Undefined) return false;
        if (isNumber(a) && isNumber(b)) {
            if (isIntLike(a) && isIntLike(b)) return toLong(a) == toLong(b);
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof String s) return s.equals(b);
        if (a instanceof List<?> la) {
            if (!(b instanceof List<?> lb) || (a instanceof PyTuple) != (b instanceof PyTuple) || la.size() != lb.size()) {
                return false;
            }
            for (int i = 0; i < la.size(); i++) if (!eq(la.get(i), lb.get(i))) return false;
            return true;
        }
        if (a instanceof Map<?, ?> ma) {
            if (!(b instanceof Map<?, ?> mb) || ma.size() != mb.size()) return false;
            for (Map.Entry<?, ?> e : ma.entrySet()) {
                Object other = dictGet(mb, e.getKey());
                if (other == MISSING || !eq(e.getValue(), other)) return false;
            }
            return true;
        }
        return a.equals(b);
    }

    /** Python ordering; an error for types that cannot be ordered against each other. */
    static int compare(Object a, Object b, String op) {
        a = unwrap(a);
        b = unwrap(b);
        if (a instanceof Undefined u) throw u.error();
        if (b instanceof Undefined u) throw u.error();
        if (isNumber(a) && isNumber(b)) {
            if (isIntLike(a) && isIntLike(b)) return Long.compare(toLong(a), toLong(b));
            return Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof String sa && b instanceof String sb) return compareStrings(sa, sb);
        if (a instanceof List<?> la && b instanceof List<?> lb && (a instanceof PyTuple) == (b instanceof PyTuple)) {
            int n = Math.min(la.size(), lb.size());
            for (int i = 0; i < n; i++) {
                if (!eq(la.get(i), lb.get(i))) return compare(la.get(i), lb.get(i), op);
            }
            return Integer.compare(la.size(), lb.size());
        }
        throw new JinjaError("'" + op + "' not supported between instances of '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    static int compareStrings(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    static boolean compareOp(String op, Object a, Object b) {
        return switch (op) {
            case "==" -> eq(a, b);
            case "!=" -> !eq(a, b);
            case "<" -> compare(a, b, op) < 0;
            case "<=" -> compare(a, b, op) <= 0;
            case ">" -> compare(a, b, op) > 0;
            case ">=" -> compare(a, b, op) >= 0;
            case "in" -> contains(b, a);
            case "notin" -> !contains(b, a);
            default -> throw new IllegalStateException(op);
        };
    }

    /** Python's {@code item in container}. */
    static boolean contains(Object container, Object item) {
        container = unwrap(container);
        item = unwrap(item);
        if (container instanceof PyGenerator g) container = g.drain();
        if (container == null) throw new JinjaError("argument of type 'NoneType' is not iterable");
        switch (container) {
            case String s -> {
                if (item instanceof String sub) return s.contains(sub);
                if (item instanceof Undefined u) throw u.error();
                throw new JinjaError("'in <string>' requires string as left operand, not " + typeName(item));
            }
            case List<?> l -> {
                for (Object o : l) if (eq(o, item)) return true;
                return false;
            }
            case Map<?, ?> m -> {
                if ((item instanceof List && !(item instanceof PyTuple)) || item instanceof Map) {
                    throw new JinjaError("unhashable type: '" + typeName(item) + "'");
                }
                return dictGet(m, item) != MISSING;
            }
            case Undefined u -> {
                return false;
            }
            case Namespace n -> {
                throw new JinjaError("argument of type 'Namespace' is not iterable");
            }
            default -> throw new JinjaError("argument of type '" + typeName(container) + "' is not iterable");
        }
    }

    // ---------------------------------------------------------------- arithmetic

    static Object binary(String op, Object a, Object b) {
        if (a instanceof Undefined u) throw u.error();
        if (b instanceof Undefined && op.equals("%") && (a instanceof String || a instanceof Markup)) {
            return Format.percent((String) unwrap(a), b); // Python sees a mapping-like argument
        }
        if (b instanceof Undefined u) throw u.error();
        if (a instanceof Markup || b instanceof Markup) {
            Object r = markupOp(op, a, b);
            if (r != null) return r;
            a = unwrap(a);
            b = unwrap(b);
        }
        return switch (op) {
            case "+" -> add(a, b);
            case "-" -> numeric(op, a, b);
            case "*" -> mul(a, b);
            case "/" -> {
                checkNumbers(op, a, b);
                double d = toDouble(b);
                if (d == 0) throw new JinjaError("division by zero");
                yield toDouble(a) / d;
            }
            case "//", "%" -> {
                if (op.equals("%") && a instanceof String fmt) yield Format.percent(fmt, b);
                yield numeric(op, a, b);
            }
            case "**" -> numeric(op, a, b);
            default -> throw new IllegalStateException(op);
        };
    }

    /** Python operators on Markup: the plain operand is escaped (MarkupSafe); null if not a Markup operation. */
    private static Object markupOp(String op, Object a, Object b) {
        switch (op) {
            case "+" -> {
                if ((a instanceof String || a instanceof Markup) && (b instanceof String || b instanceof Markup)) {
                    return new Markup(Markup.escape(a).value + Markup.escape(b).value);
                }
                throw new JinjaError("unsupported operand type(s) for +: '" + typeName(a) + "' and '" + typeName(b) + "'");
            }
            case "*" -> {
                Object r = mul(unwrap(a), unwrap(b));
                return r instanceof String s ? new Markup(s) : r;
            }
            case "%" -> {
                if (a instanceof Markup m) {
                    Object args = b instanceof PyTuple t ? escapeAll(t) : b instanceof Map<?, ?> ? b : Markup.escape(b).value;
                    return new Markup(Format.percent(m.value, args));
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    private static PyTuple escapeAll(PyTuple t) {
        Object[] out = new Object[t.size()];
        for (int i = 0; i < out.length; i++) out[i] = t.get(i) instanceof String || t.get(i) instanceof Markup
                ? Markup.escape(t.get(i)).value : t.get(i);
        return new PyTuple(out);
    }

    /** The plain string of a Markup; anything else unchanged. */
    static Object unwrap(Object v) {
        return v instanceof Markup m ? m.value : v;
    }

    private static void checkNumbers(String op, Object a, Object b) {
        if (!isNumber(a) || !isNumber(b)) {
            throw new JinjaError("unsupported operand type(s) for " + op + ": '" + typeName(a) + "' and '"
                    + typeName(b) + "'");
        }
    }

    private static Object add(Object a, Object b) {
        if (a instanceof String sa) {
            if (b instanceof String sb) return sa + sb;
            throw new JinjaError("can only concatenate str (not \"" + typeName(b) + "\") to str");
        }
        if (a instanceof List<?> la) {
            boolean tuple = a instanceof PyTuple;
            if (b instanceof List<?> lb && tuple == (b instanceof PyTuple)) {
                List<Object> out = new ArrayList<>(la.size() + lb.size());
                out.addAll(la);
                out.addAll(lb);
                return tuple ? PyTuple.of(out) : out;
            }
            throw new JinjaError("can only concatenate " + typeName(a) + " (not \"" + typeName(b) + "\") to "
                    + typeName(a));
        }
        return numeric("+", a, b);
    }

    private static Object mul(Object a, Object b) {
        if ((a instanceof String || a instanceof List) && isIntLike(b)) return repeat(a, toLong(b));
        if ((b instanceof String || b instanceof List) && isIntLike(a)) return repeat(b, toLong(a));
        return numeric("*", a, b);
    }

    private static Object repeat(Object seq, long times) {
        if (times > 1_000_000) throw new JinjaError("repetition count too large: " + times);
        long size = (long) (seq instanceof String s ? s.length() : ((List<?>) seq).size()) * Math.max(0, times);
        if (size > RenderBudget.DEFAULT.maxValueSize() * 4L) throw new JinjaError("repetition result too large: " + size);
        if (seq instanceof String s) return times <= 0 ? "" : s.repeat((int) times);
        List<?> l = (List<?>) seq;
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < times; i++) out.addAll(l);
        return seq instanceof PyTuple ? PyTuple.of(out) : out;
    }

    private static Object numeric(String op, Object a, Object b) {
        checkNumbers(op, a, b);
        if (isIntLike(a) && isIntLike(b)) {
            long x = toLong(a);
            long y = toLong(b);
            try {
                return switch (op) {
                    case "+" -> Math.addExact(x, y);
                    case "-" -> Math.subtractExact(x, y);
                    case "*" -> Math.multiplyExact(x, y);
                    case "//" -> {
                        if (y == 0) throw new JinjaError("integer division or modulo by zero");
                        yield Math.floorDiv(x, y);
                    }
                    case "%" -> {
                        if (y == 0) throw new JinjaError("integer division or modulo by zero");
                        yield Math.floorMod(x, y);
                    }
                    case "**" -> {
                        if (y < 0 && x == 0) throw new JinjaError("0.0 cannot be raised to a negative power");
                        if (y < 0) yield Math.pow(x, y);
                        long r = 1;
                        for (long i = 0; i < y; i++) r = Math.multiplyExact(r, x);
                        yield r;
                    }
                    default -> throw new IllegalStateException(op);
                };
            } catch (ArithmeticException e) {
                throw new JinjaError("integer overflow in " + op);
            }
        }
        double x = toDouble(a);
        double y = toDouble(b);
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            case "//", "%" -> {
                if (y == 0) throw new JinjaError(op.equals("%") ? "float modulo" : "float floor division by zero");
                // CPython's float_floor_div / float_rem
                double mod = x % y;
                double div = (x - mod) / y;
                if (mod != 0) {
                    if ((y < 0) != (mod < 0)) {
                        mod += y;
                        div -= 1.0;
                    }
                } else {
                    mod = Math.copySign(0.0, y);
                }
                double floordiv;
                if (div != 0) {
                    floordiv = Math.floor(div);
                    if (div - floordiv > 0.5) floordiv += 1.0;
                } else {
                    floordiv = Math.copySign(0.0, x / y);
                }
                yield op.equals("%") ? mod : floordiv;
            }
            case "**" -> {
                if (x == 0 && y < 0) throw new JinjaError("0.0 cannot be raised to a negative power");
                yield Math.pow(x, y);
            }
            default -> throw new IllegalStateException(op);
        };
    }

    static Object negate(Object v, boolean minus) {
        if (v instanceof Undefined u) throw u.error();
        if (!isNumber(v)) {
            throw new JinjaError("bad operand type for unary " + (minus ? "-" : "+") + ": '" + typeName(v) + "'");
        }
        if (isIntLike(v)) return minus ? -toLong(v) : toLong(v);
        return minus ? -toDouble(v) : toDouble(v);
    }

    // ---------------------------------------------------------------- iteration and length

    /** The items a for loop over {@code v} visits (dict → keys, str → characters). */
    static List<Object> iterate(Object v) {
        v = unwrap(v);
        if (v instanceof PyGenerator g) return g.drain();
        if (v == null) throw new JinjaError("'NoneType' object is not iterable");
        return switch (v) {
            case List<?> l -> {
                @SuppressWarnings("unchecked")
                List<Object> lo = (List<Object>) l;
                yield lo;
            }
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case String s -> {
                List<Object> out = new ArrayList<>(s.length());
                s.codePoints().forEach(c -> out.add(Character.toString(c)));
                yield out;
            }
            case Undefined u -> List.of();
            default -> throw new JinjaError("'" + typeName(v) + "' object is not iterable");
        };
    }

    static long len(Object v) {
        v = unwrap(v);
        if (v instanceof PyGenerator g) return g.peek().size();
        if (v == null) throw new JinjaError("object of type 'NoneType' has no len()");
        return switch (v) {
            case String s -> s.codePointCount(0, s.length());
            case List<?> l -> l.size();
            case Map<?, ?> m -> m.size();
            case Undefined u -> 0;
            default -> throw new JinjaError("object of type '" + typeName(v) + "' has no len()");
        };
    }

    // ---------------------------------------------------------------- attribute and item access

    /** Value for {@code key} in a dict, {@link #MISSING} if absent (numbers match across int/float/bool). */
    static Object dictGet(Map<?, ?> m, Object key) {
        key = unwrap(key);
        Object v = m.get(key);
        if (v != null || m.containsKey(key)) return v;
        if (isNumber(key)) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (isNumber(e.getKey()) && eq(e.getKey(), key)) return e.getValue();
            }
        }
        return MISSING;
    }

    /** Python dict assignment: keys equal as numbers (1, 1.0, True) share one entry, keeping the first key. */
    static void dictPut(Map<Object, Object> m, Object key, Object value) {
        if (isNumber(key) && !m.containsKey(key)) {
            for (Map.Entry<Object, Object> e : m.entrySet()) {
                if (isNumber(e.getKey()) && eq(e.getKey(), key)) {
                    e.setValue(value);
                    return;
                }
            }
        }
        m.put(key, value);
    }

    /** Python's getattr(): real attributes only (methods, namespace attributes), never dict items. */
    static Object attributeOnly(Object obj, String name) {
        obj = unwrap(obj);
        if (obj instanceof Namespace || obj instanceof LoopContext) return getattr(obj, name);
        if (!(obj instanceof Map) && !(obj instanceof Undefined)) return getattr(obj, name);
        Object method = name.startsWith("_") ? MISSING : Methods.lookup(obj, name);
        return method != MISSING ? method : new Undefined("'" + typeName(obj) + " object' has no attribute '" + name + "'");
    }

    /** Jinja's {@code obj.name}: attributes (methods) first, then items. */
    static Object getattr(Object obj, String name) {
        obj = unwrap(obj);
        if (obj instanceof Undefined u) return u;
        if (name.startsWith("_")) return new Undefined("access to attribute '" + name + "' is not allowed");
        if (obj == null) return new Undefined("'None' has no attribute '" + name + "'");
        switch (obj) {
            case Map<?, ?> m -> {
                Object method = Methods.lookup(obj, name);
                if (method != MISSING) return method;
                Object v = dictGet(m, name);
                return v != MISSING ? v : new Undefined("'dict object' has no attribute '" + name + "'");
            }
            case Namespace n -> {
                Object v = n.attrs.get(name);
                return v != null || n.attrs.containsKey(name) ? v
                        : new Undefined("'Namespace object' has no attribute '" + name + "'");
            }
            case LoopContext c -> {
                return c.attr(name);
            }
            default -> {
                Object method = Methods.lookup(obj, name);
                if (method != MISSING) return method;
                if (isNumber(obj) && (name.equals("real") || name.equals("imag"))) {
                    if (name.equals("imag")) return obj instanceof Double ? (Object) 0.0 : (Object) 0L;
                    return obj instanceof Double ? obj : (Object) toLong(obj);
                }
                return new Undefined("'" + typeName(obj) + " object' has no attribute '" + name + "'");
            }
        }
    }

    /** Jinja's {@code obj[key]}: items first, then attributes for string keys. */
    static Object getitem(Object obj, Object key) {
        obj = unwrap(obj);
        key = unwrap(key);
        if (obj instanceof Undefined u) return u;
        if (obj == null) return new Undefined("'None' has no element " + repr(key));
        switch (obj) {
            case Map<?, ?> m -> {
                if (key instanceof List<?> && !(key instanceof PyTuple) || key instanceof Map) break;
                Object v = dictGet(m, key);
                if (v != MISSING) return v;
            }
            case List<?> l -> {
                if (isIntLike(key)) {
                    long i = toLong(key);
                    if (i < 0) i += l.size();
                    if (i >= 0 && i < l.size()) return l.get((int) i);
                    return new Undefined(typeName(obj) + " index out of range: " + toLong(key));
                }
            }
            case String s -> {
                if (isIntLike(key)) {
                    long n = s.codePointCount(0, s.length());
                    long i = toLong(key);
                    if (i < 0) i += n;
                    if (i >= 0 && i < n) {
                        int off = s.offsetByCodePoints(0, (int) i);
                        return Character.toString(s.codePointAt(off));
                    }
                    return new Undefined("string index out of range: " + toLong(key));
                }
            }
            default -> {
            }
        }
        if (key instanceof String name) return getattr(obj, name);
        return new Undefined("'" + typeName(obj) + " object' has no element " + repr(key));
    }

    /** Python slicing of a list, tuple or str; undefined for anything else. */
    static Object slice(Object obj, Object start, Object stop, Object step) {
        obj = unwrap(obj);
        if (!(obj instanceof List) && !(obj instanceof String)) {
            if (obj instanceof Undefined u) return u;
            if (obj instanceof Map) throw new JinjaError("unhashable type: 'slice'");
            throw new JinjaError("'" + typeName(obj) + "' object is not subscriptable");
        }
        long st = step == null ? 1 : requireIndex(step);
        if (st == 0) throw new JinjaError("slice step cannot be zero");
        int[] cps = obj instanceof String s ? s.codePoints().toArray() : null;
        long n = cps != null ? cps.length : ((List<?>) obj).size();
        long lower = st > 0 ? 0 : -1;
        long upper = st > 0 ? n : n - 1;
        long a = start == null ? (st < 0 ? upper : lower) : clampIndex(requireIndex(start), n, lower, upper);
        long b = stop == null ? (st < 0 ? lower : upper) : clampIndex(requireIndex(stop), n, lower, upper);
        if (cps != null) {
            StringBuilder sb = new StringBuilder();
            for (long i = a; st > 0 ? i < b : i > b; i += st) sb.appendCodePoint(cps[(int) i]);
            return sb.toString();
        }
        List<?> l = (List<?>) obj;
        List<Object> out = new ArrayList<>();
        for (long i = a; st > 0 ? i < b : i > b; i += st) out.add(l.get((int) i));
        return obj instanceof PyTuple ? PyTuple.of(out) : out;
    }

    private static long requireIndex(Object v) {
        if (isIntLike(v)) return toLong(v);
        throw new JinjaError("slice indices must be integers or None, not '" + typeName(v) + "'");
    }

    private static long clampIndex(long i, long n, long lower, long upper) {
        if (i < 0) return Math.max(i + n, lower);
        return Math.min(i, upper);
    }

    // ---------------------------------------------------------------- misc

    /** Unpacks {@code value} into exactly {@code n} items (for {@code for a, b in ...} and tuple sets). */
    static List<Object> unpack(Object value, int n) {
        List<Object> items = iterate(value);
        if (items.size() != n) {
            throw new JinjaError(items.size() > n ? "too many values to unpack (expected " + n + ")"
                    : "not enough values to unpack (expected " + n + ", got " + items.size() + ")");
        }
        return items;
    }
}
