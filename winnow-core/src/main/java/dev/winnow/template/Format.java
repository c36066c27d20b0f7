package dev.winnow.template;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;

/** Python string formatting: {@code "fmt" % args} and {@code "fmt".format(...)}. */
final class Format {
    private Format() {
    }

    // ---------------------------------------------------------------- printf style

    static String percent(String fmt, Object args) {
        List<?> list = args instanceof PyTuple t ? t : List.of(args == null ? NONE : args);
        Map<?, ?> mapping = args instanceof Map<?, ?> m ? m : null;
        // Python skips the "not all arguments converted" check for mapping-like arguments (dict, list, ...)
        boolean mappingLike = mapping != null || (args instanceof List && !(args instanceof PyTuple)) || args instanceof Undefined;
        int ai = 0;
        StringBuilder out = new StringBuilder();
        int n = fmt.length();
        for (int i = 0; i < n; i++) {
            char c = fmt.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (++i >= n) throw new JinjaError("incomplete format");
            String key = null;
            if (fmt.charAt(i) == '(') {
                int close = fmt.indexOf(')', i);
                if (close < 0) throw new JinjaError("incomplete format key");
                key = fmt.substring(i + 1, close);
                i = close + 1;
            }
            String flags = "";
            while (i < n && "-+ #0".indexOf(fmt.charAt(i)) >= 0) flags += fmt.charAt(i++);
            int width = -1;
            if (i < n && fmt.charAt(i) == '*') {
                width = (int) Py.requireInt(next(list, ai++), "* width");
                i++;
            } else {
                int s = i;
                while (i < n && Character.isDigit(fmt.charAt(i))) i++;
                if (i > s) width = Integer.parseInt(fmt.substring(s, i));
            }
            int prec = -1;
            if (i < n && fmt.charAt(i) == '.') {
                i++;
                if (i < n && fmt.charAt(i) == '*') {
                    prec = (int) Py.requireInt(next(list, ai++), "* precision");
                    i++;
                } else {
                    int s = i;
                    while (i < n && Character.isDigit(fmt.charAt(i))) i++;
                    prec = i > s ? Integer.parseInt(fmt.substring(s, i)) : 0;
                }
            }
            while (i < n && "hlL".indexOf(fmt.charAt(i)) >= 0) i++;
            if (i >= n) throw new JinjaError("incomplete format");
            char conv = fmt.charAt(i);
            if (conv == '%') {
                out.append('%');
                continue;
            }
            Object v;
            if (key != null) {
                if (mapping == null) throw new JinjaError("format requires a mapping");
                v = Py.dictGet(mapping, key);
                if (v == Py.MISSING) throw new JinjaError("KeyError: " + Py.repr(key));
            } else {
                v = next(list, ai++);
            }
            if (v == NONE) v = null;
            String body = convert(v, conv, prec, flags.indexOf('#') >= 0, "%" + conv);
            boolean numeric = "diuxXofFeEgGc".indexOf(conv) >= 0 && conv != 'c';
            if (numeric && !body.startsWith("-")) {
                if (flags.indexOf('+') >= 0) body = "+" + body;
                else if (flags.indexOf(' ') >= 0) body = " " + body;
            }
            char align = flags.indexOf('-') >= 0 ? '<' : '>';
            boolean zero = numeric && flags.indexOf('0') >= 0 && align == '>';
            out.append(pad(body, width, align, zero ? '0' : ' ', zero));
        }
        if (!mappingLike && ai < list.size()) {
            throw new JinjaError("not all arguments converted during string formatting");
        }
        return out.toString();
    }

    private static final Object NONE = new Object();

    private static Object next(List<?> list, int i) {
        if (i >= list.size()) throw new JinjaError("not enough arguments for format string");
        return list.get(i);
    }

    private static String convert(Object v, char conv, int prec, boolean alt, String what) {
        switch (conv) {
            case 's': {
                String s = Py.str(v);
                return prec >= 0 && prec < s.length() ? s.substring(0, prec) : s;
            }
            case 'r':
            case 'a': {
                String s = Py.repr(v);
                return prec >= 0 && prec < s.length() ? s.substring(0, prec) : s;
            }
            case 'c':
                if (v instanceof String s && s.codePointCount(0, s.length()) == 1) return s;
                return Character.toString((int) Py.requireInt(v, "%c"));
            case 'd':
            case 'i':
            case 'u':
                return Long.toString(toInt(v, what));
            case 'x':
            case 'X':
            case 'o': {
                long l = Py.requireInt(v, what);
                String s = Long.toString(Math.abs(l), conv == 'o' ? 8 : 16);
                if (conv == 'X') s = s.toUpperCase();
                if (alt) s = (conv == 'o' ? "0o" : conv == 'x' ? "0x" : "0X") + s;
                return l < 0 ? "-" + s : s;
            }
            case 'f':
            case 'F':
            case 'e':
            case 'E':
            case 'g':
            case 'G':
                return formatFloat(toFloat(v, what), conv, prec < 0 ? 6 : prec, alt);
            default:
                throw new JinjaError("unsupported format character '" + conv + "'");
        }
    }

    private static long toInt(Object v, String what) {
        if (Py.isIntLike(v)) return Py.toLong(v);
        if (v instanceof Double d) return (long) d.doubleValue();
        if (v instanceof Undefined u) throw u.error();
        throw new JinjaError(what + " format: a real number is required, not " + Py.typeName(v));
    }

    private static double toFloat(Object v, String what) {
        if (Py.isNumber(v)) return Py.toDouble(v);
        if (v instanceof Undefined u) throw u.error();
        throw new JinjaError("must be real number, not " + Py.typeName(v));
    }

    /** Python's float formatting for f/e/g with the exact binary value and round-half-even. */
    static String formatFloat(double d, char conv, int prec, boolean alt) {
        boolean upper = Character.isUpperCase(conv);
        if (Double.isNaN(d)) return upper ? "NAN" : "nan";
        if (Double.isInfinite(d)) return (d < 0 ? "-" : "") + (upper ? "INF" : "inf");
        String sign = (d < 0 || (d == 0 && 1 / d < 0)) ? "-" : "";
        BigDecimal x = new BigDecimal(Math.abs(d));
        String body;
        switch (Character.toLowerCase(conv)) {
            case 'f' -> {
                body = x.setScale(prec, RoundingMode.HALF_EVEN).toPlainString();
                if (alt && prec == 0) body += ".";
            }
            case 'e' -> body = sci(x, prec, alt);
            default -> {
                int p = prec == 0 ? 1 : prec;
                int exp;
                if (x.signum() == 0) {
                    exp = 0;
                } else {
                    BigDecimal r = x.round(new MathContext(p, RoundingMode.HALF_EVEN));
                    exp = r.precision() - r.scale() - 1;
                }
                if (exp >= -4 && exp < p) {
                    body = x.setScale(p - 1 - exp, RoundingMode.HALF_EVEN).toPlainString();
                } else {
                    body = sci(x, p - 1, alt);
                }
                if (!alt) {
                    String mant = body;
                    String tail = "";
                    int e = body.indexOf('e');
                    if (e >= 0) {
                        mant = body.substring(0, e);
                        tail = body.substring(e);
                    }
                    if (mant.indexOf('.') >= 0) {
                        mant = mant.replaceAll("0+$", "");
                        if (mant.endsWith(".")) mant = mant.substring(0, mant.length() - 1);
                    }
                    body = mant + tail;
                }
            }
        }
        if (upper) body = body.toUpperCase();
        return sign + body;
    }

    private static String sci(BigDecimal x, int prec, boolean alt) {
        String digits;
        int exp;
        if (x.signum() == 0) {
            digits = "0".repeat(prec + 1);
            exp = 0;
        } else {
            BigDecimal r = x.round(new MathContext(prec + 1, RoundingMode.HALF_EVEN));
            exp = r.precision() - r.scale() - 1;
            digits = r.unscaledValue().toString();
            if (digits.length() < prec + 1) digits = digits + "0".repeat(prec + 1 - digits.length());
            digits = digits.substring(0, prec + 1);
        }
        StringBuilder b = new StringBuilder().append(digits.charAt(0));
        if (prec > 0 || alt) b.append('.');
        b.append(digits, 1, digits.length());
        b.append('e').append(exp < 0 ? '-' : '+');
        int a = Math.abs(exp);
        if (a < 10) b.append('0');
        return b.append(a).toString();
    }

    private static String pad(String body, int width, char align, char fill, boolean signAware) {
        int len = body.codePointCount(0, body.length());
        if (width <= len) return body;
        String padding = String.valueOf(fill).repeat(width - len);
        if (signAware && !body.isEmpty() && "+- ".indexOf(body.charAt(0)) >= 0) {
            return body.charAt(0) + padding + body.substring(1);
        }
        return switch (align) {
            case '<' -> body + padding;
            case '^' -> {
                int left = (width - len) / 2;
                yield padding.substring(0, left) + body + padding.substring(left);
            }
            default -> padding + body;
        };
    }

    // ---------------------------------------------------------------- str.format

    static String format(String fmt, List<Object> args, Map<String, Object> kwargs) {
        StringBuilder out = new StringBuilder();
        int auto = 0;
        int n = fmt.length();
        for (int i = 0; i < n; i++) {
            char c = fmt.charAt(i);
            if (c == '{') {
                if (i + 1 < n && fmt.charAt(i + 1) == '{') {
                    out.append('{');
                    i++;
                    continue;
                }
                int close = fmt.indexOf('}', i);
                if (close < 0) throw new JinjaError("Single '{' encountered in format string");
                String field = fmt.substring(i + 1, close);
                String spec = "";
                char conv = 0;
                int colon = field.indexOf(':');
                if (colon >= 0) {
                    spec = field.substring(colon + 1);
                    field = field.substring(0, colon);
                }
                int bang = field.indexOf('!');
                if (bang >= 0) {
                    if (bang + 1 < field.length()) conv = field.charAt(bang + 1);
                    field = field.substring(0, bang);
                }
                String head = field;
                int dot = indexOfAny(field, ".[");
                if (dot >= 0) head = field.substring(0, dot);
                Object v;
                if (head.isEmpty()) {
                    if (auto >= args.size()) throw new JinjaError("Replacement index " + auto + " out of range");
                    v = args.get(auto++);
                } else if (head.chars().allMatch(Character::isDigit)) {
                    int idx = Integer.parseInt(head);
                    if (idx >= args.size()) throw new JinjaError("Replacement index " + idx + " out of range");
                    v = args.get(idx);
                } else {
                    if (!kwargs.containsKey(head)) throw new JinjaError("KeyError: " + Py.repr(head));
                    v = kwargs.get(head);
                }
                if (dot >= 0) v = resolveFieldPath(v, field.substring(dot));
                if (conv == 'r' || conv == 'a') v = Py.repr(v);
                else if (conv == 's') v = Py.str(v);
                out.append(formatSpec(v, spec));
                i = close;
            } else if (c == '}') {
                if (i + 1 < n && fmt.charAt(i + 1) == '}') i++;
                else throw new JinjaError("Single '}' encountered in format string");
                out.append('}');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) if (chars.indexOf(s.charAt(i)) >= 0) return i;
        return -1;
    }

    private static Object resolveFieldPath(Object v, String path) {
        int i = 0;
        while (i < path.length()) {
            if (path.charAt(i) == '.') {
                int e = indexOfAny(path.substring(i + 1), ".[");
                String name = e < 0 ? path.substring(i + 1) : path.substring(i + 1, i + 1 + e);
                v = Py.getattr(v, name);
                i = e < 0 ? path.length() : i + 1 + e;
            } else {
                int close = path.indexOf(']', i);
                if (close < 0) throw new JinjaError("Missing ']' in format string");
                String key = path.substring(i + 1, close);
                v = Py.getitem(v, key.chars().allMatch(Character::isDigit) && !key.isEmpty() ? (Object) Long.parseLong(key) : key);
                i = close + 1;
            }
        }
        return v;
    }

    /** Python's format-spec mini language: [[fill]align][sign][#][0][width][,][.precision][type]. */
    static String formatSpec(Object v, String spec) {
        if (spec.isEmpty()) return Py.str(v);
        int i = 0;
        char fill = ' ';
        char align = 0;
        if (spec.length() >= 2 && "<>^=".indexOf(spec.charAt(1)) >= 0) {
            fill = spec.charAt(0);
            align = spec.charAt(1);
            i = 2;
        } else if ("<>^=".indexOf(spec.charAt(0)) >= 0) {
            align = spec.charAt(0);
            i = 1;
        }
        char sign = '-';
        if (i < spec.length() && "+- ".indexOf(spec.charAt(i)) >= 0) sign = spec.charAt(i++);
        boolean alt = false;
        if (i < spec.length() && spec.charAt(i) == '#') {
            alt = true;
            i++;
        }
        boolean zero = false;
        if (i < spec.length() && spec.charAt(i) == '0') {
            zero = true;
            i++;
        }
        int s = i;
        while (i < spec.length() && Character.isDigit(spec.charAt(i))) i++;
        int width = i > s ? Integer.parseInt(spec.substring(s, i)) : -1;
        boolean comma = false;
        if (i < spec.length() && (spec.charAt(i) == ',' || spec.charAt(i) == '_')) {
            comma = true;
            i++;
        }
        int prec = -1;
        if (i < spec.length() && spec.charAt(i) == '.') {
            s = ++i;
            while (i < spec.length() && Character.isDigit(spec.charAt(i))) i++;
            prec = Integer.parseInt(spec.substring(s, i));
        }
        char type = i < spec.length() ? spec.charAt(i++) : 0;
        if (i != spec.length()) throw new JinjaError("Invalid format specifier '" + spec + "'");
        String body;
        boolean numeric = Py.isNumber(v) && type != 's';
        if (!numeric) {
            if (type != 0 && type != 's') {
                throw new JinjaError("Unknown format code '" + type + "' for object of type '" + Py.typeName(v) + "'");
            }
            body = Py.str(v);
            if (prec >= 0 && prec < body.length()) body = body.substring(0, prec);
        } else if (type == '%') {
            body = formatFloat(Py.toDouble(v) * 100, 'f', prec < 0 ? 6 : prec, alt) + "%";
        } else if (type == 0 && Py.isIntLike(v) || "dnbcoxX".indexOf(type == 0 ? '?' : type) >= 0) {
            if (!Py.isIntLike(v)) throw new JinjaError("Unknown format code '" + type + "' for object of type 'float'");
            long l = Py.toLong(v);
            body = switch (type) {
                case 'b' -> (alt ? "0b" : "") + Long.toBinaryString(Math.abs(l));
                case 'o' -> (alt ? "0o" : "") + Long.toOctalString(Math.abs(l));
                case 'x' -> (alt ? "0x" : "") + Long.toHexString(Math.abs(l));
                case 'X' -> (alt ? "0X" : "") + Long.toHexString(Math.abs(l)).toUpperCase();
                case 'c' -> Character.toString((int) l);
                default -> comma ? String.format("%,d", Math.abs(l)) : Long.toString(Math.abs(l));
            };
            if (l < 0) body = "-" + body;
        } else {
            double d = Py.toDouble(v);
            if (type == 0) {
                body = prec < 0 ? Py.floatRepr(d) : formatFloat(d, 'g', prec, alt);
            } else {
                body = formatFloat(d, type, prec < 0 ? 6 : prec, alt);
            }
        }
        if (numeric && !body.startsWith("-")) {
            if (sign == '+') body = "+" + body;
            else if (sign == ' ') body = " " + body;
        }
        if (zero && align == 0) {
            align = '=';
            fill = '0';
        }
        if (align == 0) align = numeric ? '>' : '<';
        if (align == '=') return pad(body, width, '>', fill, true);
        return pad(body, width, align, fill, false);
    }
}
