package dev.winnow.tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The word splitters that run before byte-level BPE, as llama.cpp's {@code llm_tokenizer_bpe}
 * defines them per {@code tokenizer.ggml.pre} (llama-vocab.cpp), applied the way its
 * {@code unicode_regex_split} applies them (unicode.cpp):
 * <ul>
 *   <li>Each entry is a list of regexes applied in sequence: every regex splits each piece
 *       left by the previous one into its matches <em>and</em> the unmatched text between
 *       them (which stays a piece of its own).</li>
 *   <li>The GPT-2 and Llama 3 regexes are not run as regexes: llama.cpp has hand-written
 *       splitters for them (with their own small quirks, e.g. a lone punctuation-free
 *       whitespace run), reproduced here.</li>
 *   <li>Other regexes that use {@code \p{..}} categories run on a "collapsed" copy of the
 *       text where every non-ASCII code point becomes one stand-in character for its category
 *       (non-ASCII whitespace becomes U+000B), and each {@code \p{X}} becomes a class of that
 *       stand-in plus the ASCII members of X, exactly as llama.cpp does. Categories come
 *       from {@link CodepointFlags}, not from Java's regex tables.</li>
 *   <li>Regexes without categories run on the text itself with non-ASCII whitespace replaced
 *       by U+000B (llama.cpp's std::wregex path). {@code \s} is ASCII-only in both engines.</li>
 * </ul>
 * The regex strings below are llama.cpp's, verbatim (non-ASCII characters written as
 * {@code \}{@code uXXXX} escapes); {@link #toJavaRegex} turns the ECMAScript syntax llama.cpp
 * feeds std::regex into Java syntax ({@code $} → {@code \z}, {@code [} and {@code &} inside a
 * class escaped).
 */
public enum PreTokenizer {
    /** llama.cpp's fallback (also used when {@code tokenizer.ggml.pre} is missing). */
    DEFAULT("[\\p{P}\\$\\+<=>\\^~\\|]+", Regexes.GPT2, "\\p{N}+", "[0-9][0-9][0-9]"),
    /** GPT-2, MPT, OLMo, … */
    GPT2(Regexes.GPT2),
    /** Llama 3 (tiktoken-style): contractions, letters with one leading non-letter, digits in threes. */
    LLAMA3(Regexes.LLAMA3),
    /** Qwen 2: like Llama 3 but single digits. */
    QWEN2("(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    DEEPSEEK_LLM("[\r\n]", Regexes.DEEPSEEK_LLM_LETTERS, Regexes.DEEPSEEK_LLM_PUNCTUATION, "\\s+$", Regexes.CJK,
            "\\p{N}+"),
    DEEPSEEK_CODER("[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", Regexes.CJK, "\\p{N}"),
    FALCON("[\\p{P}\\$\\+<=>\\^~\\|`]+", Regexes.GPT2, "[0-9][0-9][0-9]"),
    /** StarCoder, Refact, Command-R, SmolLM, CodeShell, EXAONE, …: GPT-2 with single digits. */
    STARCODER("\\p{N}", Regexes.GPT2),
    /** BLOOM, Poro, GPT-3 Finnish. */
    BLOOM(Regexes.BLOOM),
    VIKING(Regexes.BLOOM, "\\p{N}");

    /** The regex strings as llama.cpp writes them. */
    private static final class Regexes {
        static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
        static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
                + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
        /** The tokenizer.json original of {@link #LLAMA3}; llama.cpp routes both to the same splitter. */
        static final String LLAMA3_ORIGINAL = "(?i:'s|'t|'re|'ve|'m|'ll|'d)"
                + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
        /**
         * Cased letters (Unicode L&) of an older Unicode version, with an optional leading space.
         * U+1F7D, U+1FBE, U+1FD3, U+1FDB, U+2126 and U+212A are those code points themselves, not
         * their NFC equivalents (which would make the ranges descend).
         */
        static final String DEEPSEEK_LLM_LETTERS = "\\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA"
                + "\u01BC-\u01BF\u01C4-\u0293\u0295-\u02AF\u0370-\u0373\u0376\u0377\u037B-\u037D\u037F\u0386"
                + "\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-\u052F\u0531-\u0556"
                + "\u10A0-\u10C5\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77"
                + "\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B"
                + "\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4\u1FC6-\u1FCC\u1FD0-\u1FD3"
                + "\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113\u2115"
                + "\u2119-\u211D\u2124\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149"
                + "\u214E\u2183\u2184\u2C00-\u2C7B\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D"
                + "\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17"
                + "\uFF21-\uFF3A\uFF41-\uFF5A"
                + "\uD801\uDC00-\uD801\uDC4F" // U+10400-U+1044F
                + "\uD801\uDCB0-\uD801\uDCD3" // U+104B0-U+104D3
                + "\uD801\uDCD8-\uD801\uDCFB" // U+104D8-U+104FB
                + "\uD803\uDC80-\uD803\uDCB2" // U+10C80-U+10CB2
                + "\uD803\uDCC0-\uD803\uDCF2" // U+10CC0-U+10CF2
                + "\uD806\uDCA0-\uD806\uDCDF" // U+118A0-U+118DF
                + "\uD83A\uDD00-\uD83A\uDD43" // U+1E900-U+1E943
                + "]+";
        /** ASCII and full-width punctuation, curly quotes, ideographic space to full stop. */
        static final String DEEPSEEK_LLM_PUNCTUATION =
                "\\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+";
        /** CJK ideographs, U+0800..U+4E00 and Hangul. */
        static final String CJK = "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+";
        static final String BLOOM = " ?[^(\\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+";
    }

    /**
     * What a {@code tokenizer.ggml.pre} value selects in llama.cpp: the regex set and the flags
     * llama.cpp ties to the name ({@code ignoreMerges}: a word that is a token is taken whole;
     * {@code addBos}: the default of {@code tokenizer.ggml.add_bos_token}).
     */
    public record Choice(String name, PreTokenizer preTokenizer, boolean ignoreMerges, boolean addBos) {
    }

    /** Supported {@code tokenizer.ggml.pre} values, as llama.cpp maps them. */
    private static final Map<String, Choice> BY_NAME = new LinkedHashMap<>();

    static {
        name(DEFAULT, false, false, "default");
        name(GPT2, false, false, "gpt-2", "phi-2", "gigachat", "a.x-4.0", "mellum", "exaone4", "mpt", "olmo", "jais",
                "trillion", "granite-docling");
        name(LLAMA3, true, true, "llama-bpe", "llama3", "llama-v3", "falcon3", "falcon-h1", "pixtral", "midm-2.0",
                "lfm2", "jina-v5-nano");
        name(LLAMA3, false, false, "dbrx", "smaug-bpe");
        name(QWEN2, false, false, "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "stablelm2", "hunyuan",
                "solar-open", "grok-2");
        name(DEEPSEEK_LLM, false, false, "deepseek-llm");
        name(DEEPSEEK_CODER, false, false, "deepseek-coder");
        name(FALCON, false, false, "falcon");
        name(STARCODER, false, false, "starcoder", "smollm", "refact", "command-r", "codeshell", "exaone",
                "minerva-7b", "mellum2");
        name(BLOOM, false, false, "bloom", "poro-chat", "gpt3-finnish");
        name(VIKING, false, false, "viking");
    }

    private static void name(PreTokenizer p, boolean ignoreMerges, boolean addBos, String... names) {
        for (String n : names) BY_NAME.put(n, new Choice(n, p, ignoreMerges, addBos));
    }

    /** The choice for a {@code tokenizer.ggml.pre} value, or null when it is not supported. */
    public static Choice forName(String name) {
        return BY_NAME.get(name);
    }

    /** The supported {@code tokenizer.ggml.pre} values. */
    public static Set<String> supportedNames() {
        return Collections.unmodifiableSet(BY_NAME.keySet());
    }

    private final List<String> regexes;
    private final Step[] steps;

    PreTokenizer(String... regexes) {
        this.regexes = List.of(regexes);
        this.steps = new Step[regexes.length];
        for (int i = 0; i < regexes.length; i++) steps[i] = compile(regexes[i]);
    }

    /** The regexes, in llama.cpp's syntax, in the order they are applied. */
    public List<String> regexes() {
        return regexes;
    }

    /** Splits text into words (each becomes one BPE unit). */
    public List<String> split(String text) {
        int[] cps = codePoints(text);
        int[] lengths = split(cps);
        List<String> words = new ArrayList<>(lengths.length);
        int at = 0;
        for (int len : lengths) {
            words.add(new String(cps, at, len));
            at += len;
        }
        return words;
    }

    /** Splits code points into words; returns the word lengths (in code points), which add up to {@code cps.length}. */
    int[] split(int[] cps) {
        if (cps.length == 0) return new int[0];
        Text text = new Text(cps);
        IntList pieces = new IntList(1);
        pieces.add(cps.length);
        for (Step step : steps) {
            IntList next = new IntList(pieces.size() * 2 + 8);
            int start = 0;
            for (int i = 0; i < pieces.size(); i++) {
                int end = start + pieces.get(i);
                step.split(text, start, end, next);
                start = end;
            }
            pieces = next;
        }
        return pieces.toArray();
    }

    /** The code points of a string; unpaired surrogates become U+FFFD. */
    static int[] codePoints(String s) {
        int[] cps = new int[s.length()];
        int n = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            cps[n++] = cp <= 0xFFFF && Character.isSurrogate((char) cp) ? 0xFFFD : cp;
        }
        return n == cps.length ? cps : java.util.Arrays.copyOf(cps, n);
    }

    // ---------------------------------------------------------------- steps

    /** One regex of the sequence: splits the code points [start, end) and appends the piece lengths. */
    private interface Step {
        void split(Text text, int start, int end, IntList out);
    }

    /** The text being split, with the per-engine views built on first use. */
    private static final class Text {
        final int[] cps;
        private String collapsed;
        private String plain;
        private int[] cpToChar, charToCp;
        /** One matcher per regex step, reused for every piece (region() resets it). */
        private final Map<RegexStep, Matcher> matchers = new java.util.IdentityHashMap<>();

        Text(int[] cps) {
            this.cps = cps;
        }

        /** Flags of the code point at {@code pos}, or 0 outside [start, end). */
        int flags(int pos, int start, int end) {
            return pos >= start && pos < end ? CodepointFlags.of(cps[pos]) : 0;
        }

        /** One char per code point: ASCII as is, others as their category's stand-in. */
        String collapsed() {
            if (collapsed == null) {
                char[] c = new char[cps.length];
                for (int i = 0; i < cps.length; i++) c[i] = collapse(cps[i]);
                collapsed = new String(c);
            }
            return collapsed;
        }

        /** The text with non-ASCII whitespace as U+000B. */
        String plain() {
            if (plain == null) {
                StringBuilder sb = new StringBuilder(cps.length + 8);
                cpToChar = new int[cps.length + 1];
                for (int i = 0; i < cps.length; i++) {
                    cpToChar[i] = sb.length();
                    int cp = cps[i];
                    sb.appendCodePoint(cp > 0x7F && CodepointFlags.isWhitespace(cp) ? 0x0B : cp);
                }
                cpToChar[cps.length] = sb.length();
                charToCp = new int[sb.length() + 1];
                for (int i = 0; i <= cps.length; i++) charToCp[cpToChar[i]] = i;
                plain = sb.toString();
            }
            return plain;
        }
    }

    /** Stand-ins of the collapsed text (llama.cpp's k_ucat_cpt). */
    private static final char OTHER = '\u00D0', NUMBER = '\u00D1', LETTER = '\u00D2', PUNCTUATION = '\u00D3',
            MARK = '\u00D4', SYMBOL = '\u00D5';

    static char collapse(int cp) {
        if (cp < 0x80) return (char) cp;
        if (CodepointFlags.isWhitespace(cp)) return '\u000B';
        return switch (CodepointFlags.category(cp)) {
            case CodepointFlags.NUMBER -> NUMBER;
            case CodepointFlags.LETTER -> LETTER;
            case CodepointFlags.PUNCTUATION -> PUNCTUATION;
            case CodepointFlags.MARK -> MARK;
            case CodepointFlags.SYMBOL -> SYMBOL;
            default -> OTHER;
        };
    }

    /**
     * {@code \p{X}} → its stand-in and ASCII members (llama.cpp's k_ucat_enum, k_ucat_cpt and
     * k_ucat_map). In a holder class because enum constants are built before the enum's own
     * static fields.
     */
    private static final class Categories {
        static final Map<String, String> CLASSES = Map.of(
                "\\p{N}", NUMBER + "0-9",
                "\\p{L}", LETTER + "A-Za-z",
                "\\p{P}", PUNCTUATION + "!-#%-*,-/:-;?-@\\[-\\]_\\{\\}",
                "\\p{M}", String.valueOf(MARK),
                "\\p{S}", SYMBOL + "\\$\\+<->^`\\|",
                "\\p{Lu}", LETTER + "A-Za-z",
                "\\p{Ll}", LETTER + "A-Za-z",
                "\\p{Lt}", LETTER + "A-Za-z",
                "\\p{Lm}", LETTER + "A-Za-z",
                "\\p{Lo}", LETTER + "A-Za-z");
    }

    private static Step compile(String regex) {
        if (regex.equals(Regexes.GPT2)) return PreTokenizer::splitGpt2;
        if (regex.equals(Regexes.LLAMA3) || regex.equals(Regexes.LLAMA3_ORIGINAL)) return PreTokenizer::splitLlama3;
        boolean usesCategories = Categories.CLASSES.keySet().stream().anyMatch(regex::contains);
        if (usesCategories) {
            if (!regex.chars().allMatch(c -> c < 0x80)) {
                throw new IllegalArgumentException("regex mixes unicode categories and non-ASCII characters: " + regex);
            }
            return new RegexStep(Pattern.compile(toJavaRegex(collapseRegex(regex))), true);
        }
        return new RegexStep(Pattern.compile(toJavaRegex(regex)), false);
    }

    /** Replaces {@code \p{X}} by the collapsed class, adding brackets outside a class (as llama.cpp). */
    static String collapseRegex(String regex) {
        StringBuilder out = new StringBuilder();
        boolean inside = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '[' && (i == 0 || regex.charAt(i - 1) != '\\')) {
                out.append('[');
                inside = true;
                continue;
            }
            if (inside && c == ']' && regex.charAt(i - 1) != '\\') {
                out.append(']');
                inside = false;
                continue;
            }
            if (c == '\\' && i + 3 < regex.length() && regex.charAt(i + 1) == 'p' && regex.charAt(i + 2) == '{') {
                int close = regex.indexOf('}', i + 3);
                if (close >= 0 && close <= i + 10) {
                    String members = Categories.CLASSES.get(regex.substring(i, close + 1));
                    if (members != null) {
                        if (!inside) out.append('[');
                        out.append(members);
                        if (!inside) out.append(']');
                        i = close;
                        continue;
                    }
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    /**
     * ECMAScript (std::regex) syntax → Java syntax, for the constructs these regexes use:
     * {@code $} outside a class is end of input only ({@code \z}); inside a class {@code [}
     * and {@code &} are literals in ECMAScript but nesting/intersection in Java, so they are
     * escaped. Escapes are copied as they are.
     */
    static String toJavaRegex(String ecma) {
        StringBuilder out = new StringBuilder(ecma.length() + 8);
        boolean inside = false;
        for (int i = 0; i < ecma.length(); i++) {
            char c = ecma.charAt(i);
            if (c == '\\' && i + 1 < ecma.length()) {
                out.append(c).append(ecma.charAt(++i));
            } else if (!inside) {
                if (c == '[') {
                    inside = true;
                    out.append(c);
                    if (i + 1 < ecma.length() && ecma.charAt(i + 1) == '^') out.append(ecma.charAt(++i));
                } else if (c == '$') {
                    out.append("\\z");
                } else {
                    out.append(c);
                }
            } else if (c == ']') {
                inside = false;
                out.append(c);
            } else if (c == '[' || c == '&') {
                out.append('\\').append(c);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** A regex run as std::regex_iterator would: matches and the gaps between them become pieces. */
    private record RegexStep(Pattern pattern, boolean collapsed) implements Step {
        @Override
        public void split(Text text, int start, int end, IntList out) {
            Matcher m = text.matchers.computeIfAbsent(this,
                    step -> pattern.matcher(collapsed ? text.collapsed() : text.plain()));
            if (collapsed) m.region(start, end);
            else m.region(text.cpToChar[start], text.cpToChar[end]);
            int prev = start;
            while (m.find()) {
                int ms = collapsed ? m.start() : text.charToCp[m.start()];
                int me = collapsed ? m.end() : text.charToCp[m.end()];
                if (ms > prev) out.add(ms - prev);
                if (me > ms) out.add(me - ms);
                prev = me;
            }
            if (end > prev) out.add(end - prev);
        }
    }

    // ---------------------------------------------------------------- llama.cpp's hand-written splitters

    private static boolean isLetter(int flags) {
        return (flags & CodepointFlags.LETTER) != 0;
    }

    private static boolean isNumber(int flags) {
        return (flags & CodepointFlags.NUMBER) != 0;
    }

    private static boolean isSpace(int flags) {
        return (flags & CodepointFlags.WHITESPACE) != 0;
    }

    /** In range and not whitespace, letter or number: {@code [^\s\p{L}\p{N}]}. */
    private static boolean isOther(int flags) {
        return flags != 0 && (flags & (CodepointFlags.WHITESPACE | CodepointFlags.LETTER | CodepointFlags.NUMBER)) == 0;
    }

    /**
     * The length of a contraction ('s 't 'm 'd 're 've 'll) at {@code pos}, or 0; case-insensitive
     * for Llama 3, case-sensitive for GPT-2.
     */
    private static int contraction(int[] cps, int pos, int end, boolean ignoreCase) {
        if (cps[pos] != '\'' || pos + 1 >= end) return 0;
        int a = ignoreCase ? Character.toLowerCase(cps[pos + 1]) : cps[pos + 1];
        if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
        if (pos + 2 >= end) return 0;
        int b = ignoreCase ? Character.toLowerCase(cps[pos + 2]) : cps[pos + 2];
        return (a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l') ? 3 : 0;
    }

    /**
     * llama.cpp's unicode_regex_split_custom_gpt2:
     * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}.
     */
    private static void splitGpt2(Text text, int start, int end, IntList out) {
        int[] cps = text.cps;
        int pos = start;
        while (pos < end) {
            int from = pos;
            int c = cps[pos];
            int flags = text.flags(pos, start, end);
            int k = contraction(cps, pos, end, false);
            if (k > 0) {
                pos += k;
            } else {
                int skip = c == ' ' ? 1 : 0;
                int f2 = c == ' ' ? text.flags(pos + 1, start, end) : flags;
                if (isLetter(f2)) {
                    pos += skip;
                    while (isLetter(text.flags(pos, start, end))) pos++;
                } else if (isNumber(f2)) {
                    pos += skip;
                    while (isNumber(text.flags(pos, start, end))) pos++;
                } else if (isOther(f2)) {
                    pos += skip;
                    while (isOther(text.flags(pos, start, end))) pos++;
                } else {
                    int spaces = 0;
                    while (isSpace(text.flags(pos + spaces, start, end))) spaces++;
                    if (spaces > 1 && pos + spaces < end) pos += spaces - 1; // \s+(?!\S): leave the last one
                    else if (spaces > 0) pos += spaces;
                    else pos++; // no match: one code point on its own
                }
            }
            out.add(pos - from);
        }
    }

    /**
     * llama.cpp's unicode_regex_split_custom_llama3:
     * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}.
     */
    private static void splitLlama3(Text text, int start, int end, IntList out) {
        int[] cps = text.cps;
        int pos = start;
        while (pos < end) {
            int from = pos;
            int c = cps[pos];
            int flags = text.flags(pos, start, end);
            int k = contraction(cps, pos, end, true);
            if (k > 0) {
                out.add(k);
                pos += k;
                continue;
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if (!(c == '\r' || c == '\n' || isNumber(flags))
                    && (isLetter(flags) || isLetter(text.flags(pos + 1, start, end)))) {
                pos++;
                while (isLetter(text.flags(pos, start, end))) pos++;
                out.add(pos - from);
                continue;
            }
            // \p{N}{1,3}
            if (isNumber(flags)) {
                int group = pos;
                while (isNumber(text.flags(pos, start, end))) {
                    pos++;
                    if (pos - group >= 3) {
                        out.add(pos - group);
                        group = pos;
                    }
                }
                if (pos > group) out.add(pos - group);
                continue;
            }
            // ' ?[^\s\p{L}\p{N}]+[\r\n]*' (llama.cpp tests the flags of the first code point for "in range")
            int f2 = c == ' ' ? text.flags(pos + 1, start, end) : flags;
            if ((f2 & (CodepointFlags.WHITESPACE | CodepointFlags.LETTER | CodepointFlags.NUMBER)) == 0 && flags != 0) {
                if (c == ' ') pos++;
                while (isOther(text.flags(pos, start, end))) pos++;
                while (pos < end && (cps[pos] == '\r' || cps[pos] == '\n')) pos++;
                out.add(pos - from);
                continue;
            }
            int spaces = 0;
            int afterLastNewline = -1;
            while (isSpace(text.flags(pos + spaces, start, end))) {
                int s = cps[pos + spaces];
                if (s == '\r' || s == '\n') afterLastNewline = pos + spaces + 1;
                spaces++;
            }
            if (afterLastNewline >= 0) pos = afterLastNewline;          // \s*[\r\n]+
            else if (spaces > 1 && pos + spaces < end) pos += spaces - 1; // \s+(?!\S)
            else if (spaces > 0) pos += spaces;                         // \s+
            else pos++;                                                 // no match
            out.add(pos - from);
        }
    }
}
