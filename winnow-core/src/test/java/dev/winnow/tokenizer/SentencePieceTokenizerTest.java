package dev.winnow.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.SharedData;
import dev.winnow.gguf.GgufFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SentencePieceTokenizerTest {
    private static final int UNK = 0, BOS = 1, EOS = 2;

    // ------------------------------------------------------------ synthetic vocabularies

    /** unk, bos, eos, then the given pieces as normal tokens with the given scores. */
    private static SentencePieceTokenizer synthetic(boolean spacePrefix, Object... pieceScore) {
        int n = 3 + pieceScore.length / 2;
        String[] tokens = new String[n];
        float[] scores = new float[n];
        int[] types = new int[n];
        tokens[0] = "<unk>";
        tokens[1] = "<s>";
        tokens[2] = "</s>";
        types[0] = Vocabulary.TYPE_UNKNOWN;
        types[1] = types[2] = Vocabulary.TYPE_CONTROL;
        for (int i = 0; i < pieceScore.length / 2; i++) {
            tokens[3 + i] = (String) pieceScore[2 * i];
            scores[3 + i] = ((Number) pieceScore[2 * i + 1]).floatValue();
            types[3 + i] = Vocabulary.TYPE_NORMAL;
        }
        return SentencePieceTokenizer.of(tokens, scores, types, BOS, EOS, UNK, true, spacePrefix);
    }

    @Test
    void mergesHighestScoreFirst() {
        // a=3 b=4 c=5 ab=6 bc=7 abc=8: "bc" (score 2) beats "ab" (score 1), then a+bc → abc
        SentencePieceTokenizer t = synthetic(false, "a", 0, "b", 0, "c", 0, "ab", 1, "bc", 2, "abc", 3);
        assertThat(t.encode("abc", false, false)).containsExactly(8);
        // with "ab" preferred, a+b merge first and "ab"+"c" = "abc" still forms
        SentencePieceTokenizer t2 = synthetic(false, "a", 0, "b", 0, "c", 0, "ab", 5, "bc", 2, "abc", 3);
        assertThat(t2.encode("abc", false, false)).containsExactly(8);
        // without "abc" the higher-scored pair wins and blocks the other
        SentencePieceTokenizer t3 = synthetic(false, "a", 0, "b", 0, "c", 0, "ab", 1, "bc", 2);
        assertThat(t3.encode("abc", false, false)).containsExactly(3, 7);
    }

    @Test
    void equalScoresMergeLeftmostFirst() {
        SentencePieceTokenizer t = synthetic(false, "a", 0, "aa", 1);
        assertThat(t.encode("aaa", false, false)).containsExactly(4, 3);
        assertThat(t.encode("aaaaa", false, false)).containsExactly(4, 4, 3);
    }

    @Test
    void spacesBecomeSpaceMarksAndThePrefixIsAdded() {
        SentencePieceTokenizer t = synthetic(true, "▁", 0, "a", 0, "b", 0, "▁a", 1, "▁b", 1);
        // "a b" → "▁a▁b"
        assertThat(t.encode("a b", false, false)).containsExactly(6, 7);
        assertThat(t.encode("a b", true, false)).containsExactly(BOS, 6, 7);
        assertThat(t.decode(new int[] {6, 7})).isEqualTo("a b");
        assertThat(t.decode(new int[] {BOS, 6, 7})).isEqualTo("a b");
        SentencePieceTokenizer noPrefix = synthetic(false, "▁", 0, "a", 0, "b", 0, "▁a", 1, "▁b", 1);
        assertThat(noPrefix.encode("a b", false, false)).containsExactly(4, 7);
        assertThat(noPrefix.decode(new int[] {7})).isEqualTo(" b");
    }

    @Test
    void withoutByteTokensUnknownCharactersBecomeUnk() {
        SentencePieceTokenizer t = synthetic(false, "a", 0);
        assertThat(t.encode("aéa", false, false)).containsExactly(3, UNK, UNK, 3); // é is 2 UTF-8 bytes
        assertThat(t.decode(new int[] {3, UNK, 3})).isEqualTo("aa"); // unknown tokens produce no text
    }

    @Test
    void controlTokensDecodeToNothingAndAreControl() {
        SentencePieceTokenizer t = synthetic(false, "a", 0);
        assertThat(t.decode(new int[] {BOS, 3, EOS, 3})).isEqualTo("aa");
        assertThat(t.isControl(BOS)).isTrue();
        assertThat(t.isControl(EOS)).isTrue();
        assertThat(t.isControl(3)).isFalse();
        assertThat(t.isControl(-1)).isFalse();
        assertThat(t.isEndOfGeneration(EOS)).isTrue();
        assertThat(t.isEndOfGeneration(BOS)).isFalse();
    }

    @Test
    void outOfRangeIdsAreRejectedWithAClearMessage() {
        SentencePieceTokenizer t = synthetic(false, "a", 0);
        assertThatThrownBy(() -> t.decode(new int[] {99})).hasMessageContaining("99").hasMessageContaining("vocabulary size 4");
        assertThatThrownBy(() -> t.tokenText(-1)).hasMessageContaining("-1");
    }

    // ------------------------------------------------------------ real vocabularies

    @Test
    void llamaSpmBasics() {
        Tokenizer t = TokenizerTestSupport.vocab(TokenizerTestSupport.LLAMA_SPM);
        assertThat(t.vocabSize()).isEqualTo(32000);
        assertThat(t.bosId()).isEqualTo(1);
        assertThat(t.eosId()).isEqualTo(2);
        assertThat(t.addBosByDefault()).isTrue();
        assertThat(t.tokenText(15043)).isEqualTo("▁Hello");
        assertThat(t.tokenText(13)).isEqualTo("<0x0A>");
        assertThat(t.encode("Hello world")).containsExactly(1, 15043, 3186);
        assertThat(t.decode(new int[] {1, 15043, 3186, 2})).isEqualTo("Hello world");
        assertThat(t.isEndOfGeneration(2)).isTrue();
        assertThat(t.isEndOfGeneration(1)).isFalse();
        assertThat(t.isEndOfGeneration(15043)).isFalse();
        assertThat(t.isControl(1)).isTrue();
        assertThat(t.isControl(2)).isTrue();
        assertThat(t.isControl(15043)).isFalse();
        assertThat(t.isControl(13)).isFalse();
    }

    @Test
    void specialTokensAreParsedOnlyWhenAsked() {
        Tokenizer t = TokenizerTestSupport.vocab(TokenizerTestSupport.LLAMA_SPM);
        assertThat(t.encode("<s>", false, true)).containsExactly(t.bosId());
        int[] plain = t.encode("<s>", false, false);
        assertThat(plain).doesNotContain(t.bosId()).hasSizeGreaterThan(1);
        assertThat(t.decode(plain)).isEqualTo("<s>");

        // llama.cpp: a text fragment after a special token gets the space prefix again
        int[] ids = t.encode("Hello</s>world", true, true);
        assertThat(ids).containsExactly(concat(new int[] {t.bosId()}, t.encode("Hello", false, false),
                new int[] {t.eosId()}, t.encode("world", false, false)));
        assertThat(t.encode("Hello</s>world", true, false)).doesNotContain(t.eosId());
    }

    @Test
    void phi3SpecialTokens() {
        SentencePieceTokenizer t = TokenizerTestSupport.spm(TokenizerTestSupport.PHI3);
        int endoftext = 32000, end = 32007, user = 32010;
        assertThat(t.eosId()).isEqualTo(endoftext);
        assertThat(t.tokenText(end)).isEqualTo("<|end|>");
        assertThat(t.isEndOfGeneration(endoftext)).isTrue();
        assertThat(t.isEndOfGeneration(end)).isTrue(); // detected by text, as llama.cpp
        assertThat(t.isEndOfGeneration(user)).isFalse();
        assertThat(t.eotId()).isEqualTo(end);
        assertThat(t.isControl(user)).isTrue();

        // parsed when asked; phi-3 special tokens eat the whitespace after them (llama.cpp's RSTRIP)
        assertThat(t.encode("<|user|>\nHi", false, true))
                .containsExactly(concat(new int[] {user}, t.encode("Hi", false, false)));
        assertThat(t.encode("<|user|>\nHi", false, false)).doesNotContain(user);
        // as llama.cpp: the one-time space removal goes to the first token after BOS (here <|user|>),
        // so the prefix encode put after the special token stays
        assertThat(t.decode(t.encode("<|user|>\nHi<|end|>", true, true))).isEqualTo(" Hi");
    }

    @Test
    void storiesModelDecodesLlamaCppsGreedyOutput() throws IOException {
        Path model = SharedData.path("models/stories260K.gguf");
        Path ref = SharedData.path("reference/stories260K.greedy.json");
        Tokenizer t;
        try (GgufFile f = GgufFile.open(model)) {
            t = Tokenizers.fromGguf(f);
        }
        String json = Files.readString(ref, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\"tokens\"\\s*:\\s*\\[([^\\]]*)]").matcher(json);
        assertThat(m.find()).isTrue();
        int[] tokens = Arrays.stream(m.group(1).split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
        Matcher tm = Pattern.compile("\"text_of_first_255_generated_tokens\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        assertThat(tm.find()).isTrue();
        String text = unescapeJson(tm.group(1));
        assertThat(t.vocabSize()).isEqualTo(512);
        assertThat(tokens[0]).isEqualTo(t.bosId());
        // The reference text runs ~40 tokens past the 256 listed ids (it ends "...Lily's mom" while the
        // ids end at "We can help you"), so the decoded ids must be a prefix of it.
        String decoded = t.decode(tokens);
        assertThat(decoded).hasSizeGreaterThan(500).startsWith("Once upon a time, there was a little girl named Lily.");
        assertThat(text).startsWith(decoded);
        // streaming gives the same
        StreamingDecoder dec = t.streamingDecoder();
        StringBuilder sb = new StringBuilder();
        for (int id : tokens) sb.append(dec.push(id));
        assertThat(sb.append(dec.flush()).toString()).isEqualTo(decoded);
        // and the text re-encodes to something that decodes back to it
        assertThat(t.decode(t.encode(text))).isEqualTo(text);
    }

    @Test
    void longPromptsEncodeQuickly() {
        Tokenizer t = TokenizerTestSupport.vocab(TokenizerTestSupport.LLAMA_SPM);
        StringBuilder sb = new StringBuilder();
        String[] parts = {"The quick brown fox jumps over the lazy dog. ", "Ünïcödé 世界 🦙🚀 ", "x=1234567;\n\t",
                "supercalifragilisticexpialidocious ", "    indented code();\n"};
        for (int i = 0; sb.length() < 400_000; i++) sb.append(parts[i % parts.length]);
        String text = sb.toString();
        t.encode("warm up " + text.substring(0, 10_000));
        long t0 = System.nanoTime();
        int[] ids = t.encode(text);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ids.length).isGreaterThan(50_000);
        assertThat(ms).as("encoding %d chars took %d ms", text.length(), ms).isLessThan(10_000);
        assertThat(t.decode(ids)).isEqualTo(text);
        // a single long word without spaces (one big symbol chain) is fine too
        String word = "ab".repeat(100_000);
        assertThat(t.decode(t.encode(word))).isEqualTo(word);
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(IntStream::of).toArray();
    }

    private static String unescapeJson(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'u' -> {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> sb.append(e); // \" \\ \/
            }
        }
        return sb.toString();
    }
}
