package dev.winnow.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses llama.cpp's GBNF: {@code name ::= alternatives}, string literals, character classes
 * ({@code [a-z]}, {@code [^"\\]}), {@code .}, groups, {@code * + ?} and {@code {m}}, {@code {m,}},
 * {@code {m,n}} repetitions, {@code #} comments, escapes {@code \n \r \t \\ \" \xHH \\uHHHH
 * \UHHHHHHHH}. Rules may span lines.
 */
final class GbnfParser {
    private final String src;
    private final GrammarBuilder b;
    private int i;
    private int depth;

    private GbnfParser(String src, GrammarBuilder b) {
        this.src = src;
        this.b = b;
    }

    static Grammar parse(String text, String root) {
        GrammarBuilder b = new GrammarBuilder();
        GbnfParser p = new GbnfParser(text, b);
        p.rules();
        return b.build(root);
    }

    private void rules() {
        skip();
        if (i >= src.length()) throw error("empty grammar");
        while (i < src.length()) {
            String name = name();
            skip();
            if (!src.startsWith("::=", i)) throw error("expected '::=' after rule name '" + name + "'");
            i += 3;
            int id = b.rule(name);
            if (b.isDefined(name)) throw error("rule '" + name + "' is defined twice");
            b.define(id, alternatives());
            skip();
        }
    }

    private List<int[]> alternatives() {
        List<int[]> alts = new ArrayList<>();
        alts.add(sequence());
        while (true) {
            skip();
            if (i < src.length() && src.charAt(i) == '|') {
                i++;
                alts.add(sequence());
            } else {
                return alts;
            }
        }
    }

    private int[] sequence() {
        int[] seq = new int[0];
        int[] last = null;
        while (true) {
            skip();
            if (i >= src.length()) break;
            char c = src.charAt(i);
            if (c == '|' || c == ')') break;
            if (isNameChar(c) && ruleStartsHere()) break;
            int[] item;
            if (c == '*' || c == '+' || c == '?' || c == '{') {
                if (last == null) throw error("repetition '" + c + "' without an item before it");
                seq = java.util.Arrays.copyOf(seq, seq.length - last.length);
                item = postfix(last);
                last = null; // a repetition applies to one item
                seq = GrammarBuilder.concat(seq, item);
                continue;
            }
            if (c == '"') item = b.literal(stringLiteral());
            else if (c == '[') item = charClass();
            else if (c == '.') {
                i++;
                item = b.charClass(new int[] {0, Utf8Ranges.MAX_CP}, false);
            } else if (c == '(') {
                i++;
                if (++depth > 200) throw error("groups nested too deeply");
                List<int[]> alts = alternatives();
                depth--;
                skip();
                if (i >= src.length() || src.charAt(i) != ')') throw error("expected ')'");
                i++;
                item = new int[] {GrammarBuilder.ref(b.helper("group", alts))};
            } else if (isNameChar(c)) {
                item = new int[] {GrammarBuilder.ref(b.rule(name()))};
            } else {
                throw error("unexpected character '" + c + "'");
            }
            seq = GrammarBuilder.concat(seq, item);
            last = item;
        }
        return seq;
    }

    private int[] postfix(int[] x) {
        char c = src.charAt(i++);
        return switch (c) {
            case '*' -> b.star(x);
            case '+' -> b.repeat(x, 1, -1);
            case '?' -> b.repeat(x, 0, 1);
            default -> {
                skip();
                int min = integer();
                int max = min;
                skip();
                if (i < src.length() && src.charAt(i) == ',') {
                    i++;
                    skip();
                    max = i < src.length() && Character.isDigit(src.charAt(i)) ? integer() : -1;
                    skip();
                }
                if (i >= src.length() || src.charAt(i) != '}') throw error("expected '}' to close a repetition");
                i++;
                yield b.repeat(x, min, max);
            }
        };
    }

    private int integer() {
        int start = i;
        while (i < src.length() && Character.isDigit(src.charAt(i))) i++;
        if (start == i || i - start > 7) throw error("expected a repetition count");
        return Integer.parseInt(src.substring(start, i));
    }

    /** Whether the text at i is {@code name ::=} (the start of the next rule). */
    private boolean ruleStartsHere() {
        int j = i;
        while (j < src.length() && isNameChar(src.charAt(j))) j++;
        while (j < src.length() && (src.charAt(j) == ' ' || src.charAt(j) == '\t' || src.charAt(j) == '\n' || src.charAt(j) == '\r')) j++;
        return src.startsWith("::=", j);
    }

    private String name() {
        int start = i;
        while (i < src.length() && isNameChar(src.charAt(i))) i++;
        if (start == i) throw error("expected a rule name");
        return src.substring(start, i);
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    private String stringLiteral() {
        i++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (i >= src.length()) throw error("unterminated string literal");
            if (src.charAt(i) == '"') {
                i++;
                return sb.toString();
            }
            sb.appendCodePoint(character());
        }
    }

    private int[] charClass() {
        i++;
        boolean negated = i < src.length() && src.charAt(i) == '^';
        if (negated) i++;
        List<Integer> ranges = new ArrayList<>();
        while (true) {
            if (i >= src.length()) throw error("unterminated character class");
            if (src.charAt(i) == ']') {
                i++;
                break;
            }
            int lo = character();
            int hi = lo;
            if (i + 1 < src.length() && src.charAt(i) == '-' && src.charAt(i + 1) != ']') {
                i++;
                hi = character();
            }
            if (hi < lo) throw error("character range is reversed");
            ranges.add(lo);
            ranges.add(hi);
        }
        return b.charClass(ranges.stream().mapToInt(Integer::intValue).toArray(), negated);
    }

    /** One code point, with escapes. */
    private int character() {
        int cp = src.codePointAt(i);
        i += Character.charCount(cp);
        if (cp != '\\') return cp;
        if (i >= src.length()) throw error("unterminated escape");
        char e = src.charAt(i++);
        return switch (e) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'x' -> hex(2);
            case 'u' -> hex(4);
            case 'U' -> hex(8);
            default -> e;
        };
    }

    private int hex(int digits) {
        if (i + digits > src.length()) throw error("short hex escape");
        int v = 0;
        for (int k = 0; k < digits; k++) {
            int d = Character.digit(src.charAt(i++), 16);
            if (d < 0) throw error("bad hex digit in escape");
            v = v * 16 + d;
        }
        if (v > Utf8Ranges.MAX_CP) throw error("code point out of range");
        return v;
    }

    private void skip() {
        while (i < src.length()) {
            char c = src.charAt(i);
            if (c == '#') {
                while (i < src.length() && src.charAt(i) != '\n') i++;
            } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                i++;
            } else {
                return;
            }
        }
    }

    private GrammarException error(String what) {
        int line = 1, col = 1;
        for (int k = 0; k < Math.min(i, src.length()); k++) {
            if (src.charAt(k) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new GrammarException("grammar line " + line + ", column " + col + ": " + what);
    }
}
