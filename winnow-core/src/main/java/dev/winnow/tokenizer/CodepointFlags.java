package dev.winnow.tokenizer;

/**
 * Unicode properties of code points as llama.cpp's unicode tables define them
 * ({@code unicode_cpt_flags}): one general-category group per code point and the
 * White_Space set. The pre-tokenizers use these instead of Java's regex classes so that
 * {@code \p{L}}, {@code \p{N}} and {@code \s} mean what they mean in llama.cpp.
 */
final class CodepointFlags {
    /** Unassigned (Cn). Non-zero on purpose: only "out of range" has no flags at all. */
    static final int UNDEFINED = 1;
    static final int NUMBER = 1 << 1;      // \p{N}
    static final int LETTER = 1 << 2;      // \p{L}
    static final int SEPARATOR = 1 << 3;   // \p{Z}
    static final int MARK = 1 << 4;        // \p{M}
    static final int PUNCTUATION = 1 << 5; // \p{P}
    static final int SYMBOL = 1 << 6;      // \p{S}
    static final int CONTROL = 1 << 7;     // \p{C} (Cc, Cf, Co, Cs)
    static final int WHITESPACE = 1 << 8;  // White_Space, not a category

    private CodepointFlags() {
    }

    /** The category group and whitespace bit of a code point (never 0 for a valid code point). */
    static int of(int cp) {
        int f = category(cp);
        return isWhitespace(cp) ? f | WHITESPACE : f;
    }

    static int category(int cp) {
        if (cp < 0 || cp > Character.MAX_CODE_POINT) return UNDEFINED;
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> MARK;
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> PUNCTUATION;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                 Character.OTHER_SYMBOL -> SYMBOL;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SEPARATOR;
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE -> CONTROL;
            default -> UNDEFINED; // Cn
        };
    }

    /**
     * Unicode White_Space, the set llama.cpp lists: U+0009..U+000D, U+0020, U+0085, U+00A0,
     * U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. (Not Java's
     * {@link Character#isWhitespace}, which leaves out the no-break spaces.)
     */
    static boolean isWhitespace(int cp) {
        if (cp <= 0x20) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
        if (cp < 0x85) return false;
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }
}
