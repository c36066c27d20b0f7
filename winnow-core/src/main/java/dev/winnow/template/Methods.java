package dev.winnow.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Python methods callable from templates on str, dict, list and tuple values (what
 * {@code message.content.strip()}, {@code tool.items()}, {@code param.get("type", "any")} need).
 * Mutating methods ({@code append}, {@code update}, ...) are refused, like HF's immutable sandbox.
 */
final class Methods {
    private Methods() {
    }

    private static final Set<String> STR = Set.of("strip", "lstrip", "rstrip", "split", "rsplit", "splitlines",
            "startswith", "endswith", "upper", "lower", "title", "capitalize", "swapcase", "casefold", "replace",
            "find", "rfind", "index", "rindex", "count", "join", "format", "isdigit", "isalpha", "isalnum", "isspace",
            "islower", "isupper", "isnumeric", "isdecimal", "istitle", "zfill", "center", "ljust", "rjust",
            "removeprefix", "removesuffix", "partition", "rpartition");
    private static final Set<String> DICT = Set.of("items", "keys", "values", "get", "copy");
    private static final Set<String> DICT_UNSAFE = Set.of("pop", "popitem", "update", "setdefault", "clear");
    private static final Set<String> LIST = Set.of("index", "count", "copy");
    private static final Set<String> LIST_UNSAFE = Set.of("append", "extend", "insert", "pop", "remove", "clear",
            "sort", "reverse");

    /** A method bound to its receiver. */
    record Bound(Object self, String name) implements JinjaCallable {
        @Override
        public Object call(Interpreter in, List<Object> args, Map<String, Object> kwargs) {
            return invoke(self, name, args, kwargs);
        }
    }

    /** The bound method {@code obj.name}, or {@link Py#MISSING}. */
    static Object lookup(Object obj, String name) {
        if (obj == null) return Py.MISSING;
        boolean known = switch (obj) {
            case String s -> STR.contains(name);
            case Map<?, ?> m -> DICT.contains(name) || DICT_UNSAFE.contains(name);
            case PyTuple t -> name.equals("index") || name.equals("count");
            case List<?> l -> LIST.contains(name) || LIST_UNSAFE.contains(name);
            default -> false;
        };
        return known ? new Bound(obj, name) : Py.MISSING;
    }

    private static Object arg(List<Object> args, Map<String, Object> kw, int i, String name, Object dflt) {
        if (i < args.size()) return args.get(i);
        return kw.containsKey(name) ? kw.get(name) : dflt;
    }

    private static String strArg(Object v, String method) {
        if (v == null) return null;
        if (v instanceof String s) return s;
        if (v instanceof Undefined u) throw u.error();
        throw new JinjaError(method + "() argument must be str or None, not " + Py.typeName(v));
    }

    static Object invoke(Object self, String name, List<Object> args, Map<String, Object> kw) {
        if (self instanceof String s) return stringMethod(s, name, args, kw);
        if (self instanceof Map<?, ?> m) {
            if (DICT_UNSAFE.contains(name)) throw unsafe(name, self);
            return switch (name) {
                case "items" -> {
                    List<Object> out = new ArrayList<>(m.size());
                    for (Map.Entry<?, ?> e : m.entrySet()) out.add(new PyTuple(e.getKey(), e.getValue()));
                    yield out;
                }
                case "keys" -> new ArrayList<>(m.keySet());
                case "values" -> new ArrayList<>(m.values());
                case "get" -> {
                    if (args.isEmpty() || args.size() > 2) throw new JinjaError("get expected 1 or 2 arguments, got " + args.size());
                    Object v = Py.dictGet(m, args.get(0));
                    yield v != Py.MISSING ? v : args.size() > 1 ? args.get(1) : null;
                }
                case "copy" -> new LinkedHashMap<>(m);
                default -> throw new IllegalStateException(name);
            };
        }
        if (self instanceof List<?> l) {
            if (LIST_UNSAFE.contains(name)) throw unsafe(name, self);
            return switch (name) {
                case "index" -> {
                    for (int i = 0; i < l.size(); i++) if (Py.eq(l.get(i), args.isEmpty() ? null : args.get(0))) yield (long) i;
                    throw new JinjaError(Py.repr(args.isEmpty() ? null : args.get(0)) + " is not in list");
                }
                case "count" -> {
                    long c = 0;
                    for (Object o : l) if (Py.eq(o, args.isEmpty() ? null : args.get(0))) c++;
                    yield c;
                }
                case "copy" -> new ArrayList<>(l);
                default -> throw new IllegalStateException(name);
            };
        }
        throw new JinjaError("'" + Py.typeName(self) + "' object has no method '" + name + "'");
    }

    private static JinjaError unsafe(String name, Object self) {
        return new JinjaError("access to attribute '" + name + "' of '" + Py.typeName(self)
                + "' object is unsafe (templates cannot modify values; use a namespace or list concatenation)");
    }

    private static Object stringMethod(String s, String name, List<Object> args, Map<String, Object> kw) {
        switch (name) {
            case "strip":
                return Py.strip(s, strArg(arg(args, kw, 0, "chars", null), name));
            case "lstrip":
                return Py.lstrip(s, strArg(arg(args, kw, 0, "chars", null), name));
            case "rstrip":
                return Py.rstrip(s, strArg(arg(args, kw, 0, "chars", null), name));
            case "split":
            case "rsplit": {
                String sep = strArg(arg(args, kw, 0, "sep", null), name);
                long max = Py.requireInt(arg(args, kw, 1, "maxsplit", -1L), "maxsplit");
                return name.equals("split") ? split(s, sep, max) : rsplit(s, sep, max);
            }
            case "splitlines": {
                List<String> lines = splitlines(s, Py.truthy(arg(args, kw, 0, "keepends", false)));
                return new ArrayList<Object>(lines);
            }
            case "startswith":
            case "endswith": {
                Object prefix = arg(args, kw, 0, "prefix", null);
                String sub = slice(s, arg(args, kw, 1, "start", null), arg(args, kw, 2, "end", null));
                List<?> options = prefix instanceof PyTuple t ? t : List.of(prefix == null ? "\0none" : prefix);
                for (Object o : options) {
                    if (!(o instanceof String p)) {
                        throw new JinjaError(name + " first arg must be str or a tuple of str, not " + Py.typeName(o));
                    }
                    if (name.equals("startswith") ? sub.startsWith(p) : sub.endsWith(p)) return true;
                }
                return false;
            }
            case "upper":
                return s.toUpperCase(Locale.ROOT);
            case "lower":
                return s.toLowerCase(Locale.ROOT);
            case "casefold":
                return s.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
            case "title":
                return title(s);
            case "capitalize":
                return capitalize(s);
            case "swapcase": {
                StringBuilder b = new StringBuilder();
                s.codePoints().forEach(c -> b.appendCodePoint(Character.isUpperCase(c) ? Character.toLowerCase(c)
                        : Character.isLowerCase(c) ? Character.toUpperCase(c) : c));
                return b.toString();
            }
            case "replace": {
                String old = strArg(arg(args, kw, 0, "old", null), name);
                String rep = strArg(arg(args, kw, 1, "new", null), name);
                if (old == null || rep == null) throw new JinjaError("replace() takes at least 2 arguments");
                return replace(s, old, rep, Py.requireInt(arg(args, kw, 2, "count", -1L), "count"));
            }
            case "find":
            case "rfind":
            case "index":
            case "rindex":
            case "count": {
                String sub = strArg(arg(args, kw, 0, "sub", null), name);
                if (sub == null) throw new JinjaError(name + "() takes at least 1 argument");
                Object startArg = arg(args, kw, 1, "start", null);
                String hay = slice(s, startArg, arg(args, kw, 2, "end", null));
                long start = startArg == null ? 0 : normIndex(Py.requireInt(startArg, "start"), s);
                if (name.equals("count")) {
                    if (sub.isEmpty()) return (long) hay.codePointCount(0, hay.length()) + 1;
                    long c = 0;
                    for (int i = hay.indexOf(sub); i >= 0; i = hay.indexOf(sub, i + sub.length())) c++;
                    return c;
                }
                int i = name.startsWith("r") ? hay.lastIndexOf(sub) : hay.indexOf(sub);
                if (i < 0) {
                    if (name.endsWith("index")) throw new JinjaError("substring not found");
                    return -1L;
                }
                return start + hay.codePointCount(0, i);
            }
            case "join": {
                Object it = arg(args, kw, 0, "iterable", null);
                StringBuilder b = new StringBuilder();
                int i = 0;
                for (Object o : Py.iterate(it)) {
                    if (!(o instanceof String p)) {
                        throw new JinjaError("sequence item " + i + ": expected str instance, " + Py.typeName(o) + " found");
                    }
                    if (i++ > 0) b.append(s);
                    b.append(p);
                }
                return b.toString();
            }
            case "format":
                return Format.format(s, args, kw);
            case "isdigit":
            case "isdecimal":
            case "isnumeric":
                return !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            case "isalpha":
                return !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum":
                return !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace":
                return !s.isEmpty() && s.codePoints().allMatch(Py::isSpace);
            case "islower":
                return s.codePoints().anyMatch(Character::isLowerCase) && s.codePoints().noneMatch(Character::isUpperCase);
            case "isupper":
                return s.codePoints().anyMatch(Character::isUpperCase) && s.codePoints().noneMatch(Character::isLowerCase);
            case "istitle":
                return !s.isEmpty() && title(s).equals(s) && s.codePoints().anyMatch(Character::isLetter);
            case "zfill": {
                int width = (int) Py.requireInt(arg(args, kw, 0, "width", 0L), "width");
                int len = s.codePointCount(0, s.length());
                if (len >= width) return s;
                String zeros = "0".repeat(width - len);
                if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) return s.charAt(0) + zeros + s.substring(1);
                return zeros + s;
            }
            case "center":
            case "ljust":
            case "rjust": {
                int width = (int) Py.requireInt(arg(args, kw, 0, "width", 0L), "width");
                String fill = strArg(arg(args, kw, 1, "fillchar", " "), name);
                return justify(s, name, width, fill);
            }
            case "removeprefix": {
                String p = strArg(arg(args, kw, 0, "prefix", ""), name);
                return s.startsWith(p) ? s.substring(p.length()) : s;
            }
            case "removesuffix": {
                String p = strArg(arg(args, kw, 0, "suffix", ""), name);
                return !p.isEmpty() && s.endsWith(p) ? s.substring(0, s.length() - p.length()) : s;
            }
            case "partition":
            case "rpartition": {
                String sep = strArg(arg(args, kw, 0, "sep", null), name);
                if (sep == null || sep.isEmpty()) throw new JinjaError("empty separator");
                int i = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                if (i < 0) return name.equals("partition") ? new PyTuple(s, "", "") : new PyTuple("", "", s);
                return new PyTuple(s.substring(0, i), sep, s.substring(i + sep.length()));
            }
            default:
                throw new IllegalStateException(name);
        }
    }

    private static long normIndex(long i, String s) {
        long n = s.codePointCount(0, s.length());
        if (i < 0) i = Math.max(0, i + n);
        return Math.min(i, n);
    }

    /** s[start:end] by code points (None bounds allowed). */
    private static String slice(String s, Object start, Object end) {
        if (start == null && end == null) return s;
        return (String) Py.slice(s, start, end, null);
    }

    static String justify(String s, String how, int width, String fill) {
        int len = s.codePointCount(0, s.length());
        if (width <= len) return s;
        int marg = width - len;
        int left = switch (how) {
            case "ljust" -> 0;
            case "rjust" -> marg;
            default -> marg / 2 + (marg & width & 1);
        };
        return fill.repeat(left) + s + fill.repeat(marg - left);
    }

    static String replace(String s, String old, String rep, long count) {
        if (count < 0) count = Long.MAX_VALUE;
        StringBuilder b = new StringBuilder();
        if (old.isEmpty()) {
            long done = 0;
            int i = 0;
            while (i <= s.length()) {
                if (done < count) {
                    b.append(rep);
                    done++;
                }
                if (i == s.length()) break;
                int c = s.codePointAt(i);
                b.appendCodePoint(c);
                i += Character.charCount(c);
            }
            return b.toString();
        }
        int i = 0;
        long done = 0;
        while (done < count) {
            int j = s.indexOf(old, i);
            if (j < 0) break;
            b.append(s, i, j).append(rep);
            i = j + old.length();
            done++;
        }
        return b.append(s.substring(i)).toString();
    }

    static List<Object> split(String s, String sep, long max) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && Py.isSpace(s.charAt(i))) i++;
                if (i >= n) break;
                if (max >= 0 && out.size() == max) {
                    out.add(s.substring(i));
                    break;
                }
                int j = i;
                while (j < n && !Py.isSpace(s.charAt(j))) j++;
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) throw new JinjaError("empty separator");
        int i = 0;
        int j;
        while ((max < 0 || out.size() < max) && (j = s.indexOf(sep, i)) >= 0) {
            out.add(s.substring(i, j));
            i = j + sep.length();
        }
        out.add(s.substring(i));
        return out;
    }

    static List<Object> rsplit(String s, String sep, long max) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
            int i = s.length();
            while (true) {
                while (i > 0 && Py.isSpace(s.charAt(i - 1))) i--;
                if (i <= 0) break;
                if (max >= 0 && out.size() == max) {
                    out.add(s.substring(0, i));
                    break;
                }
                int j = i;
                while (j > 0 && !Py.isSpace(s.charAt(j - 1))) j--;
                out.add(s.substring(j, i));
                i = j;
            }
            return out.reversed();
        }
        if (sep.isEmpty()) throw new JinjaError("empty separator");
        int end = s.length();
        int j;
        while ((max < 0 || out.size() < max) && end >= 0 && (j = s.lastIndexOf(sep, end - sep.length())) >= 0) {
            out.add(s.substring(j + sep.length(), end));
            end = j;
        }
        out.add(s.substring(0, end));
        return out.reversed();
    }

    /** Python's str.splitlines(). */
    static List<String> splitlines(String s, boolean keepends) {
        List<String> out = new ArrayList<>();
        int n = s.length();
        int start = 0;
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            int brk = 0;
            if (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') brk = 2;
            else if (c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d || c == 0x1e
                    || c == 0x85 || c == 0x2028 || c == 0x2029) brk = 1;
            if (brk > 0) {
                out.add(s.substring(start, keepends ? i + brk : i));
                i += brk;
                start = i;
            } else {
                i++;
            }
        }
        if (start < n) out.add(s.substring(start));
        return out;
    }

    private static boolean isCased(int c) {
        return Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
    }

    /** Python's str.title(). */
    static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean prevCased = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (prevCased) b.append(Character.toString(c).toLowerCase(Locale.ROOT));
            else b.appendCodePoint(Character.toTitleCase(c));
            prevCased = isCased(c);
        }
        return b.toString();
    }

    /** Python's str.capitalize(). */
    static String capitalize(String s) {
        if (s.isEmpty()) return s;
        int c = s.codePointAt(0);
        return Character.toString(Character.toTitleCase(c)) + s.substring(Character.charCount(c)).toLowerCase(Locale.ROOT);
    }
}
