package dev.winnow.template;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits template source into tokens the way Jinja's lexer does: text data, {@code {{ }}} and
 * {@code {% %}} tags (comments are dropped, {@code raw} blocks become data), honouring the
 * whitespace control signs ({@code -} strips, {@code +} keeps), {@code trim_blocks} (drop the
 * first newline after a block or comment tag) and {@code lstrip_blocks} (drop spaces and tabs
 * before a block or comment tag that starts a line).
 */
final class Lexer {
    enum Type { DATA, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INT, FLOAT, OP, EOF }

    record Token(Type type, String value, Object literal, int pos) {
        boolean is(Type t) {
            return type == t;
        }

        boolean isOp(String op) {
            return type == Type.OP && value.equals(op);
        }

        boolean isName(String name) {
            return type == Type.NAME && value.equals(name);
        }

        String describe() {
            return switch (type) {
                case EOF -> "end of template";
                case VAR_END -> "end of print statement";
                case BLOCK_END -> "end of statement block";
                case VAR_BEGIN -> "begin of print statement";
                case BLOCK_BEGIN -> "begin of statement block";
                case DATA -> "template data";
                case STRING -> "string";
                case INT, FLOAT -> "number " + value;
                default -> "'" + value + "'";
            };
        }
    }

    private static final Pattern FLOAT = Pattern.compile(
            "(?<!\\.)(?:\\d+_)*\\d+(?:(?:\\.(?:\\d+_)*\\d+)?[eE][+\\-]?(?:\\d+_)*\\d+|\\.(?:\\d+_)*\\d+)");
    private static final Pattern INTEGER = Pattern.compile(
            "0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0[xX](?:_?[0-9a-fA-F])+|[1-9](?:_?\\d)*|0(?:_?0)*");
    private static final Pattern RAW_BEGIN = Pattern.compile("\\{%([-+]?)\\s*raw\\s*(?:-%}\\s*|%})");
    private static final Pattern RAW_END = Pattern.compile("\\{%([-+]?)\\s*endraw\\s*(?:\\+%}|-%}\\s*|%}\\n?)");
    private static final String[] OPERATORS = {
        "**", "//", "==", "!=", ">=", "<=",
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"
    };

    private final Source source;
    private final String src;
    private final boolean trimBlocks;
    private final boolean lstripBlocks;
    private final List<Token> tokens = new ArrayList<>();
    private boolean lineStarting = true;

    private Lexer(Source source, boolean trimBlocks, boolean lstripBlocks) {
        this.source = source;
        this.src = source.text;
        this.trimBlocks = trimBlocks;
        this.lstripBlocks = lstripBlocks;
    }

    static List<Token> tokenize(Source source, boolean trimBlocks, boolean lstripBlocks) {
        Lexer lx = new Lexer(source, trimBlocks, lstripBlocks);
        lx.run();
        return lx.tokens;
    }

    private TemplateException error(String msg, int pos) {
        return source.error(TemplateException.Kind.SYNTAX, msg, pos);
    }

    private void run() {
        int n = src.length();
        int pos = 0;
        while (pos < n) {
            int tag = findTag(pos);
            if (tag < 0) {
                tokens.add(new Token(Type.DATA, src.substring(pos), null, pos));
                break;
            }
            char kind = src.charAt(tag + 1);
            Matcher raw = kind == '%' ? RAW_BEGIN.matcher(src).region(tag, n) : null;
            boolean isRaw = raw != null && raw.lookingAt();
            int after = tag + 2;
            char sign = after < n && (src.charAt(after) == '-' || src.charAt(after) == '+') ? src.charAt(after) : 0;
            String text = stripBefore(src.substring(pos, tag), sign, kind != '{');
            if (!text.isEmpty()) tokens.add(new Token(Type.DATA, text, null, pos));
            if (isRaw) {
                pos = lexRaw(tag, raw.end());
                continue;
            }
            int inner = after + (sign != 0 ? 1 : 0);
            switch (kind) {
                case '#' -> pos = lexComment(tag, inner);
                case '{' -> {
                    tokens.add(new Token(Type.VAR_BEGIN, "{{", null, tag));
                    pos = lexTag(inner, false);
                }
                default -> {
                    tokens.add(new Token(Type.BLOCK_BEGIN, "{%", null, tag));
                    pos = lexTag(inner, true);
                }
            }
        }
        tokens.add(new Token(Type.EOF, "", null, n));
    }

    private int findTag(int from) {
        int i = from;
        while (true) {
            i = src.indexOf('{', i);
            if (i < 0 || i + 1 >= src.length()) return -1;
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') return i;
            i++;
        }
    }

    /** Jinja's OptionalLStrip: the text before a tag, after {@code -} stripping or lstrip_blocks. */
    private String stripBefore(String text, char sign, boolean blockOrComment) {
        if (sign == '-') return Py.rstrip(text, null);
        if (sign != '+' && lstripBlocks && blockOrComment) {
            int lpos = text.lastIndexOf('\n') + 1;
            if (lpos > 0 || lineStarting) {
                boolean ws = lpos < text.length();
                for (int i = lpos; i < text.length() && ws; i++) {
                    ws = Py.isSpace(text.charAt(i));
                }
                if (ws) return text.substring(0, lpos);
            }
        }
        return text;
    }

    private int lexRaw(int tag, int bodyStart) {
        Matcher end = RAW_END.matcher(src).region(bodyStart, src.length());
        if (!end.find()) throw error("Missing end of raw directive", tag);
        lineStarting = src.charAt(bodyStart - 1) == '\n';
        String body = stripBefore(src.substring(bodyStart, end.start()), end.group(1).isEmpty() ? 0 : end.group(1).charAt(0), true);
        if (!body.isEmpty()) tokens.add(new Token(Type.DATA, body, null, bodyStart));
        lineStarting = src.charAt(end.end() - 1) == '\n';
        return end.end();
    }

    private int lexComment(int tag, int pos) {
        int n = src.length();
        for (int i = pos; i < n; i++) {
            char c = src.charAt(i);
            if ((c == '+' || c == '-') && src.startsWith("#}", i + 1)) {
                int end = i + 3;
                if (c == '-') end = skipSpace(end);
                return finishTag(end);
            }
            if (c == '#' && i + 1 < n && src.charAt(i + 1) == '}') {
                int end = i + 2;
                if (trimBlocks && end < n && src.charAt(end) == '\n') end++;
                return finishTag(end);
            }
        }
        throw error("Missing end of comment tag", tag);
    }

    private int finishTag(int end) {
        lineStarting = src.charAt(end - 1) == '\n';
        return end;
    }

    private int skipSpace(int i) {
        while (i < src.length() && Py.isSpace(src.charAt(i))) i++;
        return i;
    }

    /** Lexes the inside of a tag starting at {@code pos}; returns the position after its end. */
    private int lexTag(int pos, boolean block) {
        int n = src.length();
        Deque<Character> balance = new ArrayDeque<>();
        String close = block ? "%}" : "}}";
        while (true) {
            if (balance.isEmpty()) {
                if (block && src.startsWith("+%}", pos)) {
                    tokens.add(new Token(Type.BLOCK_END, "%}", null, pos));
                    return finishTag(pos + 3);
                }
                if (src.startsWith("-" + close, pos)) {
                    tokens.add(new Token(block ? Type.BLOCK_END : Type.VAR_END, close, null, pos));
                    return finishTag(skipSpace(pos + 3));
                }
                if (src.startsWith(close, pos)) {
                    tokens.add(new Token(block ? Type.BLOCK_END : Type.VAR_END, close, null, pos));
                    int end = pos + 2;
                    if (block && trimBlocks && end < n && src.charAt(end) == '\n') end++;
                    return finishTag(end);
                }
            }
            if (pos >= n) {
                throw error("unexpected end of template, expected '" + (balance.isEmpty() ? close : balance.peek()) + "'", pos);
            }
            char c = src.charAt(pos);
            if (Py.isSpace(c)) {
                pos++;
                continue;
            }
            if (c >= '0' && c <= '9') {
                Matcher m = FLOAT.matcher(src).region(pos, n).useTransparentBounds(true);
                if (m.lookingAt()) {
                    String t = m.group();
                    tokens.add(new Token(Type.FLOAT, t, Double.parseDouble(t.replace("_", "")), pos));
                    pos = m.end();
                    continue;
                }
                m = INTEGER.matcher(src).region(pos, n);
                if (m.lookingAt()) {
                    String t = m.group();
                    tokens.add(new Token(Type.INT, t, parseInt(t, pos), pos));
                    pos = m.end();
                    continue;
                }
            }
            if (c == '_' || Character.isLetter(c)) {
                int e = pos + 1;
                while (e < n && (src.charAt(e) == '_' || Character.isLetterOrDigit(src.charAt(e)))) e++;
                tokens.add(new Token(Type.NAME, src.substring(pos, e), null, pos));
                pos = e;
                continue;
            }
            if (c == '"' || c == '\'') {
                int e = pos + 1;
                while (e < n && src.charAt(e) != c) {
                    if (src.charAt(e) == '\\') e++;
                    e++;
                }
                if (e >= n) throw error("unterminated string literal", pos);
                String raw = src.substring(pos + 1, e);
                tokens.add(new Token(Type.STRING, raw, unescape(raw, pos), pos));
                pos = e + 1;
                continue;
            }
            String op = null;
            for (String o : OPERATORS) {
                if (src.startsWith(o, pos)) {
                    op = o;
                    break;
                }
            }
            if (op == null) throw error("unexpected char '" + c + "'", pos);
            switch (op) {
                case "(" -> balance.push(')');
                case "[" -> balance.push(']');
                case "{" -> balance.push('}');
                case ")", "]", "}" -> {
                    if (balance.isEmpty()) throw error("unexpected '" + op + "'", pos);
                    char expected = balance.pop();
                    if (expected != op.charAt(0)) {
                        throw error("unexpected '" + op + "', expected '" + expected + "'", pos);
                    }
                }
                default -> {
                }
            }
            tokens.add(new Token(Type.OP, op, null, pos));
            pos += op.length();
        }
    }

    private Long parseInt(String t, int pos) {
        String s = t.replace("_", "");
        try {
            if (s.length() > 1 && s.charAt(0) == '0') {
                char b = Character.toLowerCase(s.charAt(1));
                if (b == 'b') return Long.parseLong(s.substring(2), 2);
                if (b == 'o') return Long.parseLong(s.substring(2), 8);
                if (b == 'x') return Long.parseLong(s.substring(2), 16);
            }
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw error("integer literal out of range: " + t, pos);
        }
    }

    /** Python {@code unicode-escape} decoding of a string literal's body (what Jinja applies). */
    private String unescape(String s, int pos) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder(s.length());
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= n) {
                b.append(c);
                continue;
            }
            char d = s.charAt(++i);
            switch (d) {
                case '\n' -> {
                }
                case '\\' -> b.append('\\');
                case '\'' -> b.append('\'');
                case '"' -> b.append('"');
                case 'a' -> b.append('\u0007');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'v' -> b.append('\u000b');
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    int v = d - '0';
                    int k = 1;
                    while (k < 3 && i + 1 < n && s.charAt(i + 1) >= '0' && s.charAt(i + 1) <= '7') {
                        v = v * 8 + (s.charAt(++i) - '0');
                        k++;
                    }
                    b.appendCodePoint(v);
                }
                case 'x', 'u', 'U' -> {
                    int len = d == 'x' ? 2 : d == 'u' ? 4 : 8;
                    String hex = s.substring(i + 1, Math.min(n, i + 1 + len));
                    if (hex.length() != len || !hex.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
                        throw error("truncated \\" + d + " escape in string literal", pos);
                    }
                    int cp = Integer.parseUnsignedInt(hex, 16);
                    if (!Character.isValidCodePoint(cp)) throw error("illegal Unicode character in string literal", pos);
                    b.appendCodePoint(cp);
                    i += len;
                }
                case 'N' -> {
                    int close = s.indexOf('}', i);
                    if (i + 1 >= n || s.charAt(i + 1) != '{' || close < 0) {
                        throw error("malformed \\N character escape in string literal", pos);
                    }
                    String name = s.substring(i + 2, close);
                    try {
                        b.appendCodePoint(Character.codePointOf(name));
                    } catch (IllegalArgumentException e) {
                        throw error("unknown Unicode character name '" + name + "' in string literal", pos);
                    }
                    i = close;
                }
                default -> {
                    b.append('\\');
                    if (d < 0x80) {
                        b.append(d);
                    } else {
                        // Jinja encodes with backslashreplace before decoding: "\é" becomes "\xe9"
                        int cp = Character.codePointAt(s, i);
                        if (Character.charCount(cp) == 2) i++;
                        if (cp <= 0xff) b.append(String.format("x%02x", cp));
                        else if (cp <= 0xffff) b.append(String.format("u%04x", cp));
                        else b.append(String.format("U%08x", cp));
                    }
                }
            }
        }
        return b.toString();
    }
}
