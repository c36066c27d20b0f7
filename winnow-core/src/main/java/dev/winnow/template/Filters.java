package dev.winnow.template;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jinja's built-in filters (plus HF's {@code tojson}), with Python semantics. Filters that
 * return generators in Jinja ({@code map}, {@code select}, {@code unique}, ...) return lists.
 */
final class Filters {
    private Filters() {
    }

    private static final Set<String> NAMES = Set.of("abs", "attr", "batch", "capitalize", "center", "count", "d",
            "default", "dictsort", "e", "escape", "first", "float", "forceescape", "format", "groupby", "indent", "int",
            "items", "join", "last", "length", "list", "lower", "map", "max", "min", "pprint", "reject", "rejectattr",
            "replace", "reverse", "round", "safe", "select", "selectattr", "sort", "string", "sum", "title", "tojson",
            "trim", "truncate", "unique", "upper", "wordcount");

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    /** Positional/keyword argument binding against a Python-style signature. */
    private static final class Params {
        final List<Object> pos;
        final Map<String, Object> kw;
        final String[] names;

        Params(String fn, List<Object> pos, Map<String, Object> kw, String... names) {
            this.pos = pos;
            this.kw = kw;
            this.names = names;
            if (pos.size() > names.length) {
                throw new JinjaError(fn + "() takes at most " + names.length + " argument(s) (" + pos.size() + " given)");
            }
            for (String k : kw.keySet()) {
                int i = Arrays.asList(names).indexOf(k);
                if (i < 0) throw new JinjaError(fn + "() got an unexpected keyword argument '" + k + "'");
                if (i < pos.size()) throw new JinjaError(fn + "() got multiple values for argument '" + k + "'");
            }
        }

        Object get(int i, Object dflt) {
            if (i < pos.size()) return pos.get(i);
            return kw.containsKey(names[i]) ? kw.get(names[i]) : dflt;
        }
    }

    static Object apply(Interpreter in, String name, Object v, List<Object> args, Map<String, Object> kw) {
        if (v instanceof Markup m) {
            switch (name) {
                case "default", "d", "string", "safe", "e", "escape", "forceescape", "first", "last", "attr" -> {
                }
                case "trim", "lower", "upper", "capitalize", "center", "indent" -> {
                    Object r = apply(in, name, m.value, args, kw);
                    return r instanceof String str ? new Markup(str) : r;
                }
                default -> v = m.value;
            }
        }
        switch (name) {
            case "abs": {
                new Params(name, args, kw);
                if (v instanceof Undefined u) throw u.error();
                if (!Py.isNumber(v)) throw new JinjaError("bad operand type for abs(): '" + Py.typeName(v) + "'");
                return Py.isIntLike(v) ? (Object) Math.abs(Py.toLong(v)) : (Object) Math.abs(Py.toDouble(v));
            }
            case "attr": {
                Params p = new Params(name, args, kw, "name");
                return Py.attributeOnly(v, Py.str(p.get(0, "")));
            }
            case "batch": {
                Params p = new Params(name, args, kw, "linecount", "fill_with");
                int size = (int) Py.requireInt(p.get(0, null), "linecount");
                if (size <= 0) throw new JinjaError("batch: linecount must be positive");
                Object fill = p.get(1, null);
                List<Object> out = new ArrayList<>();
                List<Object> cur = new ArrayList<>();
                for (Object o : Py.iterate(v)) {
                    if (cur.size() == size) {
                        out.add(cur);
                        cur = new ArrayList<>();
                    }
                    cur.add(o);
                }
                if (!cur.isEmpty()) {
                    if (fill != null) while (cur.size() < size) cur.add(fill);
                    out.add(cur);
                }
                return new PyGenerator("do_batch", out);
            }
            case "capitalize":
                new Params(name, args, kw);
                return Methods.capitalize(Py.str(v));
            case "center": {
                Params p = new Params(name, args, kw, "width");
                return Methods.justify(Py.str(v), "center", (int) Py.requireInt(p.get(0, 80L), "width"), " ");
            }
            case "count":
            case "length":
                new Params(name, args, kw);
                return Py.len(v);
            case "d":
            case "default": {
                Params p = new Params(name, args, kw, "default_value", "boolean");
                Object dflt = p.get(0, "");
                boolean bool = Py.truthy(p.get(1, false));
                return v instanceof Undefined || (bool && !Py.truthy(v)) ? dflt : v;
            }
            case "dictsort": {
                Params p = new Params(name, args, kw, "case_sensitive", "by", "reverse");
                if (!(v instanceof Map<?, ?> m)) {
                    if (v instanceof Undefined) return new ArrayList<>();
                    throw new JinjaError("dictsort filter expects a dict, got '" + Py.typeName(v) + "'");
                }
                boolean cs = Py.truthy(p.get(0, false));
                Object by = p.get(1, "key");
                int idx = "key".equals(by) ? 0 : "value".equals(by) ? 1 : -1;
                if (idx < 0) throw new JinjaError("You can only sort by either \"key\" or \"value\"");
                List<Object> items = new ArrayList<>();
                for (Map.Entry<?, ?> e : m.entrySet()) items.add(new PyTuple(e.getKey(), e.getValue()));
                Comparator<Object> cmp = keyComparator(o -> ((PyTuple) o).get(idx), cs);
                items.sort(Py.truthy(p.get(2, false)) ? cmp.reversed() : cmp);
                return items;
            }
            case "e":
            case "escape":
                new Params(name, args, kw);
                return Markup.escape(v);
            case "forceescape":
                new Params(name, args, kw);
                return new Markup(escape(Py.str(v)));
            case "first": {
                new Params(name, args, kw);
                List<Object> items = Py.iterate(v);
                return items.isEmpty() ? new Undefined("No first item, sequence was empty.") : items.getFirst();
            }
            case "last": {
                new Params(name, args, kw);
                List<Object> items = Py.iterate(v);
                return items.isEmpty() ? new Undefined("No last item, sequence was empty.") : items.getLast();
            }
            case "float": {
                Params p = new Params(name, args, kw, "default");
                if (v instanceof Undefined u) throw u.error();
                Double d = toFloat(v);
                return d != null ? d : p.get(0, 0.0);
            }
            case "format": {
                String fmt = Py.str(v);
                if (!args.isEmpty() && !kw.isEmpty()) {
                    throw new JinjaError("can't handle positional and keyword arguments at the same time");
                }
                if (!kw.isEmpty()) return Format.percent(fmt, new LinkedHashMap<Object, Object>(kw));
                return Format.percent(fmt, PyTuple.of(args));
            }
            case "groupby": {
                Params p = new Params(name, args, kw, "attribute", "default", "case_sensitive");
                boolean cs = Py.truthy(p.get(2, false));
                Function<Object, Object> key = attrGetter(p.get(0, null), p.get(1, null));
                List<Object> sorted = new ArrayList<>(Py.iterate(v));
                sorted.sort(keyComparator(key, cs));
                List<Object> out = new ArrayList<>();
                Object curKey = Py.MISSING;
                List<Object> group = null;
                for (Object o : sorted) {
                    Object k = key.apply(o);
                    Object cmpKey = !cs && k instanceof String s ? s.toLowerCase(Locale.ROOT) : k;
                    if (group == null || !Py.eq(curKey, cmpKey)) {
                        group = new ArrayList<>();
                        out.add(new PyTuple(k, group));
                        curKey = cmpKey;
                    }
                    group.add(o);
                }
                return out;
            }
            case "indent": {
                Params p = new Params(name, args, kw, "width", "first", "blank");
                if (v instanceof Undefined u) throw u.error();
                if (!(v instanceof String)) {
                    throw new JinjaError(v instanceof List ? "'" + Py.typeName(v) + "' object has no attribute 'splitlines'"
                            : "unsupported operand type(s) for +=: '" + Py.typeName(v) + "' and 'str'");
                }
                Object w = p.get(0, 4L);
                String indention = w instanceof String s ? s : " ".repeat((int) Math.max(0, Py.requireInt(w, "width")));
                return indent(Py.str(v), indention, Py.truthy(p.get(1, false)), Py.truthy(p.get(2, false)));
            }
            case "int": {
                Params p = new Params(name, args, kw, "default", "base");
                Object dflt = p.get(0, 0L);
                int base = (int) Py.requireInt(p.get(1, 10L), "base");
                if (v instanceof Undefined u) throw u.error();
                Long l = toInt(v, base);
                return l != null ? l : dflt;
            }
            case "items": {
                new Params(name, args, kw);
                if (v instanceof Undefined) return new PyGenerator("do_items", new ArrayList<>());
                if (!(v instanceof Map<?, ?>)) throw new JinjaError("Can only get item pairs from a mapping.");
                @SuppressWarnings("unchecked")
                List<Object> pairs = (List<Object>) Methods.invoke(v, "items", List.of(), Map.of());
                return new PyGenerator("do_items", pairs);
            }
            case "join": {
                Params p = new Params(name, args, kw, "d", "attribute");
                String sep = Py.str(p.get(0, ""));
                Object attribute = p.get(1, null);
                Function<Object, Object> getter = attribute == null ? Function.identity() : attrGetter(attribute, null);
                StringBuilder b = new StringBuilder();
                boolean first = true;
                for (Object o : Py.iterate(v)) {
                    if (!first) b.append(sep);
                    first = false;
                    b.append(Py.str(getter.apply(o)));
                }
                return b.toString();
            }
            case "list":
                new Params(name, args, kw);
                return new ArrayList<>(Py.iterate(v));
            case "lower":
                new Params(name, args, kw);
                return Py.str(v).toLowerCase(Locale.ROOT);
            case "upper":
                new Params(name, args, kw);
                return Py.str(v).toUpperCase(Locale.ROOT);
            case "map":
                return map(in, v, args, kw);
            case "max":
            case "min": {
                Params p = new Params(name, args, kw, "case_sensitive", "attribute");
                List<Object> items = Py.iterate(v);
                if (items.isEmpty()) return new Undefined("No aggregated item, sequence was empty.");
                Function<Object, Object> key = p.get(1, null) == null ? Function.identity() : attrGetter(p.get(1, null), null);
                Comparator<Object> cmp = keyComparator(key, Py.truthy(p.get(0, false)));
                Object best = items.getFirst();
                for (Object o : items) {
                    int c = cmp.compare(o, best);
                    if (name.equals("max") ? c > 0 : c < 0) best = o;
                }
                return best;
            }
            case "pprint":
                new Params(name, args, kw);
                return Py.repr(sortedDicts(v));
            case "select":
            case "reject":
                return select(in, v, args, kw, name.equals("select"), false);
            case "selectattr":
            case "rejectattr":
                return select(in, v, args, kw, name.equals("selectattr"), true);
            case "replace": {
                Params p = new Params(name, args, kw, "old", "new", "count");
                Object old = p.get(0, null);
                Object rep = p.get(1, null);
                if (old == null || rep == null) throw new JinjaError("replace filter needs 'old' and 'new'");
                Object count = p.get(2, null);
                return Methods.replace(Py.str(v), Py.str(old), Py.str(rep), count == null ? -1 : Py.requireInt(count, "count"));
            }
            case "reverse": {
                new Params(name, args, kw);
                if (v instanceof String s) return new StringBuilder(s).reverse().toString();
                return new PyGenerator("list_reverseiterator", new ArrayList<>(Py.iterate(v)).reversed());
            }
            case "round": {
                Params p = new Params(name, args, kw, "precision", "method");
                int prec = (int) Py.requireInt(p.get(0, 0L), "precision");
                Object method = p.get(1, "common");
                if (v instanceof Undefined u) throw u.error();
                if (!Py.isNumber(v)) throw new JinjaError("round filter needs a number, got '" + Py.typeName(v) + "'");
                RoundingMode mode = switch (Py.str(method)) {
                    case "common" -> RoundingMode.HALF_EVEN;
                    case "ceil" -> RoundingMode.CEILING;
                    case "floor" -> RoundingMode.FLOOR;
                    default -> throw new JinjaError("method must be common, ceil or floor");
                };
                if (Py.isIntLike(v) && mode == RoundingMode.HALF_EVEN) {
                    return prec >= 0 ? (Object) Py.toLong(v)
                            : (Object) new BigDecimal(Py.toLong(v)).setScale(prec, mode).longValue();
                }
                double d = Py.toDouble(v);
                if (Double.isNaN(d) || Double.isInfinite(d)) return d;
                return new BigDecimal(d).setScale(prec, mode).doubleValue();
            }
            case "safe":
                new Params(name, args, kw);
                return v instanceof Markup ? v : new Markup(Py.str(v));
            case "string":
                new Params(name, args, kw);
                return v instanceof Markup ? v : Py.str(v);
            case "sort": {
                Params p = new Params(name, args, kw, "reverse", "case_sensitive", "attribute");
                Object attribute = p.get(2, null);
                Function<Object, Object> key = attribute == null ? Function.identity() : multiAttrGetter(attribute);
                List<Object> items = new ArrayList<>(Py.iterate(v));
                Comparator<Object> cmp = keyComparator(key, Py.truthy(p.get(1, false)));
                items.sort(Py.truthy(p.get(0, false)) ? cmp.reversed() : cmp);
                return items;
            }
            case "sum": {
                Params p = new Params(name, args, kw, "attribute", "start");
                Object attribute = p.get(0, null);
                Function<Object, Object> key = attribute == null ? Function.identity() : attrGetter(attribute, null);
                Object total = p.get(1, 0L);
                for (Object o : Py.iterate(v)) total = Py.binary("+", total, key.apply(o));
                return total;
            }
            case "title": {
                new Params(name, args, kw);
                return title(Py.str(v));
            }
            case "tojson": {
                Params p = new Params(name, args, kw, "ensure_ascii", "indent", "separators", "sort_keys");
                return Json.dumps(v, Py.truthy(p.get(0, false)), p.get(1, null), p.get(2, null), Py.truthy(p.get(3, false)));
            }
            case "trim": {
                Params p = new Params(name, args, kw, "chars");
                Object chars = p.get(0, null);
                return Py.strip(Py.str(v), chars == null ? null : Py.str(chars));
            }
            case "truncate": {
                Params p = new Params(name, args, kw, "length", "killwords", "end", "leeway");
                String s = Py.str(v);
                int length = (int) Py.requireInt(p.get(0, 255L), "length");
                String end = Py.str(p.get(2, "..."));
                int leeway = (int) Py.requireInt(p.get(3, 5L), "leeway");
                int n = s.codePointCount(0, s.length());
                if (length < end.length()) throw new JinjaError("expected length >= " + end.length() + ", got " + length);
                if (n <= length + leeway) return s;
                String head = (String) Py.slice(s, null, (long) (length - end.length()), null);
                if (Py.truthy(p.get(1, false))) return head + end;
                int sp = head.lastIndexOf(' ');
                return (sp >= 0 ? head.substring(0, sp) : head) + end;
            }
            case "unique": {
                Params p = new Params(name, args, kw, "case_sensitive", "attribute");
                boolean cs = Py.truthy(p.get(0, false));
                Object attribute = p.get(1, null);
                Function<Object, Object> key = attribute == null ? Function.identity() : attrGetter(attribute, null);
                List<Object> seen = new ArrayList<>();
                List<Object> out = new ArrayList<>();
                for (Object o : Py.iterate(v)) {
                    Object k = key.apply(o);
                    if (!cs && k instanceof String s) k = s.toLowerCase(Locale.ROOT);
                    boolean dup = false;
                    for (Object s : seen) {
                        if (Py.eq(s, k)) {
                            dup = true;
                            break;
                        }
                    }
                    if (!dup) {
                        seen.add(k);
                        out.add(o);
                    }
                }
                return new PyGenerator("do_unique", out);
            }
            case "wordcount": {
                new Params(name, args, kw);
                Matcher m = WORD.matcher(Py.str(v));
                long c = 0;
                while (m.find()) c++;
                return c;
            }
            default:
                throw new JinjaError("no filter named '" + name + "'");
        }
    }

    private static final Pattern WORD = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern TITLE_SPLIT = Pattern.compile("([-\\s({\\[<]+)", Pattern.UNICODE_CHARACTER_CLASS);

    /** Jinja's title filter: capitalize each word, words split at whitespace and -({[<. */
    static String title(String s) {
        StringBuilder b = new StringBuilder();
        Matcher m = TITLE_SPLIT.matcher(s);
        int last = 0;
        while (m.find()) {
            appendTitled(b, s.substring(last, m.start()));
            b.append(m.group());
            last = m.end();
        }
        appendTitled(b, s.substring(last));
        return b.toString();
    }

    private static void appendTitled(StringBuilder b, String item) {
        if (item.isEmpty()) return;
        int c = item.codePointAt(0);
        b.append(Character.toString(c).toUpperCase(Locale.ROOT))
                .append(item.substring(Character.charCount(c)).toLowerCase(Locale.ROOT));
    }

    /** A copy with dict keys sorted, as pprint shows them. */
    private static Object sortedDicts(Object v) {
        if (v instanceof Map<?, ?> m) {
            List<Object> keys = new ArrayList<>(m.keySet());
            try {
                keys.sort((a, b) -> Py.compare(a, b, "<"));
            } catch (JinjaError e) {
                return v;
            }
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Object k : keys) out.put(k, sortedDicts(m.get(k)));
            return out;
        }
        if (v instanceof PyTuple t) {
            Object[] out = new Object[t.size()];
            for (int i = 0; i < out.length; i++) out[i] = sortedDicts(t.get(i));
            return new PyTuple(out);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) out.add(sortedDicts(o));
            return out;
        }
        return v;
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&#34;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Jinja's indent filter (Jinja 3 semantics). */
    static String indent(String s, String indention, boolean first, boolean blank) {
        List<String> lines = Methods.splitlines(s + "\n", false);
        StringBuilder rv = new StringBuilder();
        if (blank) {
            for (int i = 0; i < lines.size(); i++) {
                if (i > 0) rv.append('\n').append(indention);
                rv.append(lines.get(i));
            }
        } else {
            rv.append(lines.getFirst());
            for (int i = 1; i < lines.size(); i++) {
                rv.append('\n');
                String line = lines.get(i);
                if (!line.isEmpty()) rv.append(indention);
                rv.append(line);
            }
        }
        return first ? indention + rv : rv.toString();
    }

    private static Long toInt(Object v, int base) {
        if (Py.isIntLike(v)) return Py.toLong(v);
        if (v instanceof Double d) {
            if (Double.isNaN(d) || Double.isInfinite(d)) return null;
            return toLongExact(d);
        }
        if (v instanceof String s) {
            String t = Py.strip(s, null).replace("_", "");
            try {
                String digits = t;
                boolean neg = false;
                if (digits.startsWith("+") || digits.startsWith("-")) {
                    neg = digits.startsWith("-");
                    digits = digits.substring(1);
                }
                int b = base;
                String lower = digits.toLowerCase(Locale.ROOT);
                if ((b == 16 || b == 0) && lower.startsWith("0x")) {
                    b = 16;
                    digits = digits.substring(2);
                } else if ((b == 8 || b == 0) && lower.startsWith("0o")) {
                    b = 8;
                    digits = digits.substring(2);
                } else if ((b == 2 || b == 0) && lower.startsWith("0b")) {
                    b = 2;
                    digits = digits.substring(2);
                } else if (b == 0) {
                    b = 10;
                }
                if (digits.isEmpty() || !Character.isLetterOrDigit(digits.charAt(0))) throw new NumberFormatException();
                long l = Long.parseLong(digits, b);
                return neg ? -l : l;
            } catch (NumberFormatException e) {
                Double d = toFloat(s);
                if (d != null && !Double.isNaN(d) && !Double.isInfinite(d)) return toLongExact(d);
                return null;
            }
        }
        return null;
    }

    private static long toLongExact(double d) {
        if (d >= 0x1p63 || d < -0x1p63) throw new JinjaError("integer too large: " + Py.floatRepr(d));
        return (long) d;
    }

    private static Double toFloat(Object v) {
        if (Py.isNumber(v)) return Py.toDouble(v);
        if (v instanceof String s) {
            String t = Py.strip(s, null).replace("_", "").toLowerCase(Locale.ROOT);
            switch (t) {
                case "nan", "+nan", "-nan" -> {
                    return Double.NaN;
                }
                case "inf", "+inf", "infinity", "+infinity" -> {
                    return Double.POSITIVE_INFINITY;
                }
                case "-inf", "-infinity" -> {
                    return Double.NEGATIVE_INFINITY;
                }
                default -> {
                }
            }
            if (!t.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?")) return null;
            return Double.parseDouble(t);
        }
        return null;
    }

    /** Jinja's make_attrgetter: dotted path, integer parts index, items before attributes. */
    static Function<Object, Object> attrGetter(Object attribute, Object dflt) {
        if (attribute == null) return Function.identity();
        List<Object> parts = new ArrayList<>();
        if (Py.isIntLike(attribute)) {
            parts.add(Py.toLong(attribute));
        } else {
            for (String part : Py.str(attribute).split("\\.", -1)) {
                parts.add(part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? (Object) Long.parseLong(part) : part);
            }
        }
        return item -> {
            Object o = item;
            for (Object part : parts) o = Py.getitem(o, part);
            if (dflt != null && o instanceof Undefined) return dflt;
            return o;
        };
    }

    private static Function<Object, Object> multiAttrGetter(Object attribute) {
        if (!(attribute instanceof String s) || s.indexOf(',') < 0) return attrGetter(attribute, null);
        List<Function<Object, Object>> getters = new ArrayList<>();
        for (String part : s.split(",")) getters.add(attrGetter(part.strip(), null));
        return item -> {
            List<Object> keys = new ArrayList<>();
            for (Function<Object, Object> g : getters) keys.add(g.apply(item));
            return keys;
        };
    }

    private static Comparator<Object> keyComparator(Function<Object, Object> key, boolean caseSensitive) {
        return (a, b) -> Py.compare(fold(key.apply(a), caseSensitive), fold(key.apply(b), caseSensitive), "<");
    }

    private static Object fold(Object v, boolean caseSensitive) {
        if (caseSensitive) return v;
        if (v instanceof String s) return s.toLowerCase(Locale.ROOT);
        if (v instanceof List<?> l && !(v instanceof PyTuple)) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) out.add(fold(o, false));
            return out;
        }
        return v;
    }

    private static Object map(Interpreter in, Object v, List<Object> args, Map<String, Object> kw) {
        Function<Object, Object> fn;
        if (args.isEmpty() && kw.containsKey("attribute")) {
            for (String k : kw.keySet()) {
                if (!k.equals("attribute") && !k.equals("default")) {
                    throw new JinjaError("map: unexpected keyword argument '" + k + "'");
                }
            }
            fn = attrGetter(kw.get("attribute"), kw.get("default"));
        } else {
            if (args.isEmpty()) throw new JinjaError("map requires a filter argument");
            String filter = Py.str(args.getFirst());
            if (!exists(filter)) throw new JinjaError("no filter named '" + filter + "'");
            List<Object> rest = args.subList(1, args.size());
            fn = item -> apply(in, filter, item, rest, kw);
        }
        List<Object> out = new ArrayList<>();
        if (Py.truthy(v)) for (Object o : Py.iterate(v)) out.add(fn.apply(o));
        return new PyGenerator("do_map", out);
    }

    private static Object select(Interpreter in, Object v, List<Object> args, Map<String, Object> kw, boolean keep,
                                 boolean byAttr) {
        int i = 0;
        Function<Object, Object> getter = Function.identity();
        if (byAttr) {
            if (args.isEmpty()) throw new JinjaError("missing parameter for attribute name");
            getter = attrGetter(args.getFirst(), null);
            i = 1;
        }
        String test = args.size() > i ? Py.str(args.get(i)) : null;
        if (test != null && !Tests.exists(test)) throw new JinjaError("no test named '" + test + "'");
        List<Object> testArgs = args.size() > i + 1 ? args.subList(i + 1, args.size()) : List.of();
        List<Object> out = new ArrayList<>();
        if (Py.truthy(v)) for (Object o : Py.iterate(v)) {
            Object val = getter.apply(o);
            boolean ok = test == null ? Py.truthy(val) : Tests.apply(test, val, testArgs, kw);
            if (ok == keep) out.add(o);
        }
        return new PyGenerator("select_or_reject", out);
    }
}
