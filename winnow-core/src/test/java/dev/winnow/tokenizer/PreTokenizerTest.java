package dev.winnow.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PreTokenizerTest {

    @Test
    void namesMapAsInLlamaCpp() {
        assertThat(PreTokenizer.supportedNames()).contains("default", "gpt-2", "llama-bpe", "llama3", "llama-v3", "qwen2",
                "deepseek-llm", "deepseek-coder", "starcoder", "falcon", "smollm");
        for (String llama3 : List.of("llama-bpe", "llama3", "llama-v3")) {
            PreTokenizer.Choice c = PreTokenizer.forName(llama3);
            assertThat(c.preTokenizer()).isEqualTo(PreTokenizer.LLAMA3);
            assertThat(c.ignoreMerges()).isTrue();
            assertThat(c.addBos()).isTrue();
        }
        assertThat(PreTokenizer.forName("dbrx").preTokenizer()).isEqualTo(PreTokenizer.LLAMA3);
        assertThat(PreTokenizer.forName("dbrx").ignoreMerges()).isFalse();
        assertThat(PreTokenizer.forName("smollm").preTokenizer()).isEqualTo(PreTokenizer.STARCODER);
        assertThat(PreTokenizer.forName("qwen2").ignoreMerges()).isFalse();
        assertThat(PreTokenizer.forName("qwen2").addBos()).isFalse();
        assertThat(PreTokenizer.forName("no-such-pre")).isNull();
    }

    @Test
    void gpt2Splits() {
        assertThat(PreTokenizer.GPT2.split("Hello world's  test\n\n 12345 ..!"))
                .containsExactly("Hello", " world", "'s", " ", " test", "\n\n", " 12345", " ..!");
        assertThat(PreTokenizer.GPT2.split("I'M   ")).containsExactly("I", "'", "M", "   "); // case-sensitive contractions
    }

    @Test
    void llama3Splits() {
        assertThat(PreTokenizer.LLAMA3.split("Hello world's  test\n\n 1234567 ..!\n"))
                .containsExactly("Hello", " world", "'s", " ", " test", "\n\n", " ", "123", "456", "7", " ..!\n");
        assertThat(PreTokenizer.LLAMA3.split("I'M\tok")).containsExactly("I", "'M", "\tok"); // case-insensitive
    }

    @Test
    void qwen2SplitsDigitsOneByOne() {
        assertThat(PreTokenizer.QWEN2.split("abc 1234 Ünïcödé")).containsExactly("abc", " ", "1", "2", "3", "4", " Ünïcödé");
    }

    @Test
    void sequencesApplyEveryRegexToThePiecesOfThePreviousOne() {
        // starcoder: digits first, then GPT-2 on what is left
        assertThat(PreTokenizer.STARCODER.split("ab 12c")).containsExactly("ab", " ", "1", "2", "c");
        // falcon: punctuation runs first; three-digit groups last
        assertThat(PreTokenizer.FALCON.split("x=1234;y")).containsExactly("x", "=", "123", "4", ";", "y");
        // deepseek-coder: newlines, letters, punctuation, CJK, digits
        assertThat(PreTokenizer.DEEPSEEK_CODER.split("def f(x):\n  return 42世界"))
                .containsExactly("def", " f", "(", "x", "):", "\n", " ", " return", " ", "4", "2", "世界");
        // deepseek-llm: cased letters, punctuation, trailing spaces, CJK, numbers
        assertThat(PreTokenizer.DEEPSEEK_LLM.split("Hello, 世界 123  "))
                .containsExactly("Hello", ",", " ", "世界", " ", "123", "  ");
    }

    @Test
    void nonAsciiWhitespaceIsVerticalTabForRegexesWithoutCategories() {
        // llama.cpp maps U+3000 to U+000B before the CJK regex, so it is not part of the CJK run
        // even though U+0800..U+4E00 contains it.
        assertThat(PreTokenizer.DEEPSEEK_CODER.split("\u3000世")).containsExactly("\u3000", "世");
    }

    @Test
    void categoriesAreCollapsedAsLlamaCppDoes() {
        assertThat(PreTokenizer.collapseRegex("\\p{L}+|[^\\s\\p{N}]")).isEqualTo("[\u00D2A-Za-z]+|[^\\s\u00D10-9]");
        assertThat(PreTokenizer.collapse('a')).isEqualTo('a');
        assertThat(PreTokenizer.collapse('é')).isEqualTo('\u00D2');
        assertThat(PreTokenizer.collapse('٣')).isEqualTo('\u00D1');
        assertThat(PreTokenizer.collapse('\u00A0')).isEqualTo('\u000B');
        assertThat(PreTokenizer.collapse('«')).isEqualTo('\u00D3');
        assertThat(PreTokenizer.collapse('\u0301')).isEqualTo('\u00D4');
        assertThat(PreTokenizer.collapse('€')).isEqualTo('\u00D5');
        assertThat(PreTokenizer.collapse(0x1F999)).isEqualTo('\u00D5');
        assertThat(PreTokenizer.collapse('\u200B')).isEqualTo('\u00D0');
    }

    @Test
    void ecmaScriptSyntaxBecomesJavaSyntax() {
        assertThat(PreTokenizer.toJavaRegex("\\s+$")).isEqualTo("\\s+\\z");
        assertThat(PreTokenizer.toJavaRegex("[a[&]\\$")).isEqualTo("[a\\[\\&]\\$");
        assertThat(PreTokenizer.toJavaRegex("[^$]")).isEqualTo("[^$]");
    }

    @Test
    void emptyTextHasNoWords() {
        for (PreTokenizer p : PreTokenizer.values()) assertThat(p.split("")).as(p.name()).isEmpty();
    }

    @Test
    void wordsConcatenateToTheText() {
        String text = "Hello 🦙 world! 世界 ½ 😶\u200d🌫️ Führer ✅ កាន់តែ\n\tend  \r\n 3.14159 it's I'LL \u3000x\u00A0y";
        for (PreTokenizer p : PreTokenizer.values()) {
            assertThat(String.join("", p.split(text))).as(p.name()).isEqualTo(text);
            assertThat(p.split(text)).as(p.name()).doesNotContain("");
        }
    }

    /**
     * Away from llama.cpp's quirks (non-ASCII whitespace in category-free regexes, codepoints
     * Java and llama.cpp classify differently), the splitters must agree with the regexes run by
     * Java's own Unicode-aware engine.
     */
    @Test
    void splittersAgreeWithTheRegexesOnOrdinaryText() {
        String gpt2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
        String llama3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
                + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
        String qwen2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
                + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
        check(PreTokenizer.GPT2, List.of(gpt2));
        check(PreTokenizer.LLAMA3, List.of(llama3));
        check(PreTokenizer.QWEN2, List.of(qwen2));
        check(PreTokenizer.STARCODER, List.of("\\p{N}", gpt2));
        check(PreTokenizer.FALCON, List.of("[\\p{P}\\$\\+<=>\\^~\\|`]+", gpt2, "[0-9][0-9][0-9]"));
        check(PreTokenizer.DEFAULT, List.of("[\\p{P}\\$\\+<=>\\^~\\|]+", gpt2, "\\p{N}+", "[0-9][0-9][0-9]"));
        check(PreTokenizer.DEEPSEEK_CODER, List.of("[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+", "\\p{N}"));
    }

    private static void check(PreTokenizer pre, List<String> regexes) {
        int[] alphabet = "aZé\u0301 \n\r\t'sSlL12345.,!?-$~+|^`<>世界😀ß٣Ωка가".codePoints().toArray();
        Random rnd = new Random(pre.ordinal());
        for (int trial = 0; trial < 3000; trial++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + rnd.nextInt(12);
            for (int i = 0; i < len; i++) sb.appendCodePoint(alphabet[rnd.nextInt(alphabet.length)]);
            String s = sb.toString();
            assertThat(pre.split(s)).as("%s on \"%s\"", pre, s).isEqualTo(javaSplit(regexes, s));
        }
    }

    private static List<String> javaSplit(List<String> regexes, String text) {
        List<String> pieces = List.of(text);
        for (String regex : regexes) {
            Pattern pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
            List<String> next = new ArrayList<>();
            for (String s : pieces) {
                Matcher m = pattern.matcher(s);
                int prev = 0;
                while (m.find()) {
                    if (m.start() > prev) next.add(s.substring(prev, m.start()));
                    next.add(m.group());
                    prev = m.end();
                }
                if (prev < s.length()) next.add(s.substring(prev));
            }
            pieces = next;
        }
        return pieces;
    }
}
