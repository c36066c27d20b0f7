package dev.winnow.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * A JSON-schema {@code pattern} (ECMA-262 subset) as a GBNF expression over the characters of a
 * JSON string's content: literals, escapes ({@code \d \w \s \D \W \S} and escaped
 * metacharacters), classes, {@code .}, groups, {@code |}, {@code * + ? {m} {m,} {m,n}} (lazy
 * forms accepted). A pattern without {@code ^}/{@code $} matches anywhere, so any characters may
 * surround it. Characters that JSON must escape (quote, backslash, controls) are left out of
 * classes; as literals they are written escaped. Backreferences, lookaround and word boundaries
 * are an error.
 */
final class RegexCompiler {
    private final String re;
    private final String path;
    private int i;

    RegexCompiler(String re, String path) {
        this.re = re;
        this.path = path;
    }

    String compile() {
        boolean anchoredStart = re.startsWith("^");
        if (anchoredStart) i = 1;
        String body = alternation(0);
        boolean anchoredEnd = false;
        if (i < re.length() && re.charAt(i) == '$' && i == re.length() - 1) {
            anchoredEnd = true;
            i++;
        }
        if (i != re.length()) throw error("unexpected '" + re.charAt(i) + "'");
        return (anchoredStart ? "" : "char* ") + "(" + body + ")" + (anchoredEnd ? "" : " char*");
    }

    private String alternation(int depth) {
        if (depth > 100) throw error("groups nested too deeply");
        List<String> alts = new ArrayList<>();
        alts.add(sequence(depth));
        while (i < re.length() && re.charAt(i) == '|') {
            i++;
            alts.add(sequence(depth));
        }
        return alts.size() == 1 ? alts.getFirst() : String.join(" | ", alts);
    }

    private String sequence(int depth) {
        StringBuilder sb = new StringBuilder();
        while (i < re.length()) {
            char c = re.charAt(i);
            if (c == '|' || c == ')') break;
            if (c == '$' && i == re.length() - 1) break;
            String atom = atom(depth);
            atom = quantifier(atom);
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(atom);
        }
        return sb.isEmpty() ? "\"\"" : sb.toString();
    }

    private String atom(int depth) {
        char c = re.charAt(i++);
        switch (c) {
            case '(' -> {
                if (re.startsWith("?:", i)) i += 2;
                else if (re.startsWith("?", i)) throw unsupported("lookaround or named group '(?'");
                String inner = alternation(depth + 1);
                if (i >= re.length() || re.charAt(i) != ')') throw error("missing ')'");
                i++;
                return "(" + inner + ")";
            }
            case '[' -> {
                return charClass();
            }
            case '.' -> {
                return classExpr(new int[] {'\n', '\n', '\r', '\r'}, true);
            }
            case '\\' -> {
                return escape(false, null);
            }
            case '*', '+', '?', '{' -> throw error("quantifier '" + c + "' without an item");
            case '^', '$' -> throw unsupported("anchor '" + c + "' inside the pattern");
            default -> {
                i--;
                int cp = re.codePointAt(i);
                i += Character.charCount(cp);
                return literalChar(cp);
            }
        }
    }

    private String quantifier(String atom) {
        if (i >= re.length()) return atom;
        char c = re.charAt(i);
        String q;
        if (c == '*' || c == '+' || c == '?') {
            i++;
            q = String.valueOf(c);
        } else if (c == '{' && i + 1 < re.length() && Character.isDigit(re.charAt(i + 1))) {
            int close = re.indexOf('}', i);
            if (close < 0) throw error("unterminated '{'");
            String spec = re.substring(i + 1, close);
            if (!spec.matches("\\d{1,4}(,\\d{0,4})?")) throw error("bad repetition {" + spec + "}");
            i = close + 1;
            q = "{" + spec + "}";
        } else {
            return atom;
        }
        if (i < re.length() && re.charAt(i) == '?') i++; // lazy: same language
        return "(" + atom + ")" + q;
    }

    /** After a backslash; in a class, ranges are appended to {@code ranges} and null returned. */
    private String escape(boolean inClass, List<Integer> ranges) {
        if (i >= re.length()) throw error("pattern ends with '\\'");
        char e = re.charAt(i++);
        int[] set;
        boolean neg = false;
        switch (e) {
            case 'd' -> set = new int[] {'0', '9'};
            case 'D' -> {
                set = new int[] {'0', '9'};
                neg = true;
            }
            case 'w' -> set = new int[] {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'};
            case 'W' -> {
                set = new int[] {'0', '9', 'A', 'Z', '_', '_', 'a', 'z'};
                neg = true;
            }
            case 's' -> set = new int[] {' ', ' '};
            case 'S' -> {
                set = new int[] {' ', ' ', '\t', '\r'};
                neg = true;
            }
            case 'b', 'B' -> throw unsupported("word boundary '\\" + e + "'");
            case 'n' -> set = new int[] {'\n', '\n'};
            case 't' -> set = new int[] {'\t', '\t'};
            case 'r' -> set = new int[] {'\r', '\r'};
            case 'u' -> {
                if (i + 4 > re.length()) throw error("short \\u escape");
                int cp = Integer.parseInt(re.substring(i, i + 4), 16);
                i += 4;
                set = new int[] {cp, cp};
            }
            default -> {
                if (Character.isDigit(e)) throw unsupported("backreference '\\" + e + "'");
                if (Character.isLetter(e)) throw unsupported("escape '\\" + e + "'");
                set = new int[] {e, e};
            }
        }
        if (inClass) {
            if (neg) throw unsupported("negated escape '\\" + e + "' inside a class");
            for (int v : set) ranges.add(v);
            return null;
        }
        if (!neg && set.length == 2 && set[0] == set[1]) return literalChar(set[0]);
        return classExpr(set, neg);
    }

    private String charClass() {
        boolean neg = i < re.length() && re.charAt(i) == '^';
        if (neg) i++;
        List<Integer> ranges = new ArrayList<>();
        boolean first = true;
        while (true) {
            if (i >= re.length()) throw error("unterminated '['");
            char c = re.charAt(i);
            if (c == ']' && !first) {
                i++;
                break;
            }
            first = false;
            int lo;
            if (c == '\\') {
                i++;
                int before = ranges.size();
                escape(true, ranges);
                if (ranges.size() - before != 2 || !ranges.get(before).equals(ranges.get(before + 1))) continue;
                lo = ranges.remove(before + 1);
                ranges.remove(before);
            } else {
                lo = re.codePointAt(i);
                i += Character.charCount(lo);
            }
            int hi = lo;
            if (i + 1 < re.length() && re.charAt(i) == '-' && re.charAt(i + 1) != ']') {
                i++;
                if (re.charAt(i) == '\\') {
                    i++;
                    List<Integer> r = new ArrayList<>();
                    escape(true, r);
                    if (r.size() != 2 || !r.get(0).equals(r.get(1))) throw error("bad class range");
                    hi = r.get(0);
                } else {
                    hi = re.codePointAt(i);
                    i += Character.charCount(hi);
                }
                if (hi < lo) throw error("reversed class range");
            }
            ranges.add(lo);
            ranges.add(hi);
        }
        return classExpr(ranges.stream().mapToInt(Integer::intValue).toArray(), neg);
    }

    /**
     * A GBNF class for the code points in (or, negated, outside) the ranges, minus those JSON
     * must escape.
     */
    private String classExpr(int[] ranges, boolean negated) {
        boolean[] excluded = new boolean[0x80];
        for (int c = 0; c < 0x20; c++) excluded[c] = true;
        excluded['"'] = true;
        excluded['\\'] = true;
        StringBuilder sb = new StringBuilder("[");
        if (negated) {
            sb.append('^');
            for (int k = 0; k < ranges.length; k += 2) sb.append(cp(ranges[k])).append('-').append(cp(ranges[k + 1]));
            sb.append("\\x00-\\x1F\"\\\\]");
            return sb.toString();
        }
        int kept = 0;
        for (int k = 0; k < ranges.length; k += 2) {
            int start = -1;
            for (int c = ranges[k]; c <= ranges[k + 1] + 1; c++) {
                boolean ok = c <= ranges[k + 1] && !(c < 0x80 && excluded[c]);
                if (ok && start < 0) start = c;
                if (!ok && start >= 0) {
                    sb.append(cp(start)).append('-').append(cp(c - 1));
                    kept++;
                    start = -1;
                }
                if (c >= 0x80 && ok) { // beyond ASCII nothing is excluded: take the rest at once
                    sb.append(cp(start)).append('-').append(cp(ranges[k + 1]));
                    kept++;
                    start = -1;
                    break;
                }
            }
        }
        if (kept == 0) throw unsupported("a class of only characters JSON must escape");
        return sb.append(']').toString();
    }

    private static String cp(int c) {
        return String.format("\\U%08X", c);
    }

    private static String literalChar(int cp) {
        return switch (cp) {
            case '"' -> SchemaCompiler.gbnfLiteral("\\\"");
            case '\\' -> SchemaCompiler.gbnfLiteral("\\\\");
            case '\n' -> SchemaCompiler.gbnfLiteral("\\n");
            case '\r' -> SchemaCompiler.gbnfLiteral("\\r");
            case '\t' -> SchemaCompiler.gbnfLiteral("\\t");
            default -> {
                if (cp < 0x20) yield SchemaCompiler.gbnfLiteral(String.format("\\u%04x", cp));
                yield SchemaCompiler.gbnfLiteral(new String(Character.toChars(cp)));
            }
        };
    }

    private GrammarException error(String what) {
        return new GrammarException("JSON schema at " + path + ": bad pattern '" + re + "': " + what);
    }

    private GrammarException unsupported(String what) {
        return new GrammarException("unsupported JSON Schema feature 'pattern with " + what + "' at " + path);
    }
}
