package dev.winnow.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.SharedData;
import dev.winnow.gguf.GgufArray;
import dev.winnow.gguf.GgufException;
import dev.winnow.gguf.GgufFile;
import dev.winnow.gguf.GgufWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ByteLevelBpeTokenizerTest {
    private static final String MIXED = "Hello 🦙 world! 世界 ½ 😶\u200d🌫️ Führer ✅ កាន់តែ\n\tend 🚀 日本語のテキスト, Привет";

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- special tokens

    @Test
    void llama3BeginOfTextIsRecognisedOnlyWhenParsingSpecialTokens() {
        ByteLevelBpeTokenizer tok = TokenizerTestSupport.bpe(TokenizerTestSupport.LLAMA_BPE);
        int bos = tok.bosId();
        assertThat(bos).isEqualTo(128000).isEqualTo(tok.tokenId("<|begin_of_text|>"));

        int[] parsed = tok.encode("<|begin_of_text|>hi", false, true);
        assertThat(parsed[0]).isEqualTo(bos);
        assertThat(parsed).hasSize(2);
        assertThat(tok.decode(parsed)).isEqualTo("hi"); // control tokens produce no text

        int[] plain = tok.encode("<|begin_of_text|>hi", false, false);
        assertThat(plain).doesNotContain(bos);
        assertThat(tok.decode(plain)).isEqualTo("<|begin_of_text|>hi");
    }

    @Test
    void qwen2ImStartIsRecognisedOnlyWhenParsingSpecialTokens() {
        ByteLevelBpeTokenizer tok = TokenizerTestSupport.bpe(TokenizerTestSupport.QWEN2);
        int imStart = tok.tokenId("<|im_start|>");
        assertThat(imStart).isEqualTo(151644);
        assertThat(tok.isControl(imStart)).isTrue();

        int[] parsed = tok.encode("<|im_start|>user", false, true);
        assertThat(parsed[0]).isEqualTo(imStart);
        assertThat(tok.decode(Arrays.copyOfRange(parsed, 1, parsed.length))).isEqualTo("user");

        int[] plain = tok.encode("<|im_start|>user", false, false);
        assertThat(plain[0]).isNotEqualTo(imStart);
        assertThat(plain).doesNotContain(imStart);
        assertThat(tok.decode(plain)).isEqualTo("<|im_start|>user");
    }

    @Test
    void userDefinedTokensAreSplitOutEvenWithoutParsingSpecialTokens() {
        ByteLevelBpeTokenizer tok = TokenizerTestSupport.bpe(TokenizerTestSupport.QWEN2);
        int toolCall = tok.tokenId("<tool_call>");
        assertThat(tok.isControl(toolCall)).isFalse();
        int[] ids = tok.encode("call<tool_call>{}", false, false);
        assertThat(ids).contains(toolCall);
        assertThat(tok.decode(ids)).isEqualTo("call<tool_call>{}"); // user-defined tokens decode to their text
    }

    @Test
    void bosFlagsFollowLlamaCpp() {
        ByteLevelBpeTokenizer llama3 = TokenizerTestSupport.bpe(TokenizerTestSupport.LLAMA_BPE);
        assertThat(llama3.addBosByDefault()).isTrue();
        assertThat(llama3.encode("hi")[0]).isEqualTo(128000);
        assertThat(llama3.decode(llama3.encode("hi"))).isEqualTo("hi");
        assertThat(llama3.isEndOfGeneration(llama3.tokenId("<|eot_id|>"))).isTrue();
        assertThat(llama3.isEndOfGeneration(llama3.eosId())).isTrue();

        ByteLevelBpeTokenizer qwen2 = TokenizerTestSupport.bpe(TokenizerTestSupport.QWEN2);
        assertThat(qwen2.addBosByDefault()).isFalse();
        assertThat(qwen2.isEndOfGeneration(qwen2.tokenId("<|im_end|>"))).isTrue();

        ByteLevelBpeTokenizer gpt2 = TokenizerTestSupport.bpe(TokenizerTestSupport.GPT2);
        assertThat(gpt2.addBosByDefault()).isFalse(); // BPE default, no add_bos_token in the file
        assertThat(gpt2.encode("hi")).containsExactly(gpt2.tokenId("hi"));
        assertThat(gpt2.encode("hi", true, false)).containsExactly(50256, gpt2.tokenId("hi"));
        assertThat(gpt2.decode(new int[] {50256})).isEmpty();
    }

    @Test
    void llama3TakesAWordThatIsATokenWhole() {
        // llama.cpp's ignore_merges for Llama 3: " việc" is token 100769, which the merges alone never reach
        ByteLevelBpeTokenizer tok = TokenizerTestSupport.bpe(TokenizerTestSupport.LLAMA_BPE);
        assertThat(tok.encode(" việc", false, false)).containsExactly(100769);
    }

    // ---------------------------------------------------------------- streaming decode

    @Test
    void streamingDecodeEmitsOnlyWholeCharacters() {
        for (String name : TokenizerTestSupport.BPE_VOCABS) {
            Tokenizer tok = TokenizerTestSupport.vocab(name);
            int[] ids = tok.encode(MIXED, false, false);
            StreamingDecoder dec = tok.streamingDecoder();
            StringBuilder sb = new StringBuilder();
            List<String> chunks = new ArrayList<>();
            for (int id : ids) {
                String s = dec.push(id);
                assertThat(s).as("%s: chunk after token %d (%s)", name, id, tok.tokenText(id)).doesNotContain("\uFFFD");
                assertThat(s.isEmpty() || !Character.isHighSurrogate(s.charAt(s.length() - 1))).isTrue();
                chunks.add(s);
                sb.append(s);
            }
            String rest = dec.flush();
            assertThat(rest).isEmpty();
            assertThat(sb.toString()).as(name).isEqualTo(tok.decode(ids)).isEqualTo(MIXED);
            if (name.equals(TokenizerTestSupport.GPT2)) {
                assertThat(chunks).as("GPT-2 splits emoji into byte tokens").contains("");
            }
        }
    }

    @Test
    void randomTokenStreamsMatchDecodeEvenWithInvalidUtf8() {
        ByteLevelBpeTokenizer tok = TokenizerTestSupport.bpe(TokenizerTestSupport.GPT2);
        int[] byteTokens = new int[256];
        for (int b = 0; b < 256; b++) {
            byteTokens[b] = tok.tokenId(ByteLevelBpeTokenizer.mapBytes(new byte[] {(byte) b}));
            assertThat(byteTokens[b]).as("byte %d", b).isNotNegative();
            assertThat(tok.pieceBytes(byteTokens[b])).containsExactly((byte) b);
        }
        Random rnd = new Random(42);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + rnd.nextInt(40);
            int[] ids = new int[n];
            for (int i = 0; i < n; i++) {
                int r = rnd.nextInt(10);
                if (r < 6) ids[i] = byteTokens[0x80 + rnd.nextInt(128)];
                else if (r < 9) ids[i] = rnd.nextInt(tok.vocabSize());
                else ids[i] = tok.eosId();
            }
            StreamingDecoder dec = tok.streamingDecoder();
            StringBuilder sb = new StringBuilder();
            for (int id : ids) sb.append(dec.push(id));
            sb.append(dec.flush());
            assertThat(sb.toString()).as("tokens %s", Arrays.toString(ids)).isEqualTo(tok.decode(ids));
        }
    }

    // ---------------------------------------------------------------- metadata and errors

    @Test
    void unknownPreTokenizerIsNamedWithTheSupportedOnes() {
        Path p = dir.resolve("unknown-pre.gguf");
        try (GgufFile src = GgufFile.open(SharedData.path("tokenizers/" + TokenizerTestSupport.GPT2))) {
            new GgufWriter().putAll(src).putString("tokenizer.ggml.pre", "no-such-pre").write(p);
        }
        try (GgufFile f = GgufFile.open(p)) {
            assertThatThrownBy(() -> Tokenizers.fromGguf(f))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(p.toString())
                    .hasMessageContaining("tokenizer.ggml.pre")
                    .hasMessageContaining("\"no-such-pre\"")
                    .hasMessageContaining("\"llama-bpe\"")
                    .hasMessageContaining("\"qwen2\"")
                    .hasMessageContaining("\"deepseek-coder\"");
        }
    }

    /** A tiny byte-level vocabulary: the 256 byte stand-ins, then {@code extra}. */
    private Path tinyVocab(String name, String pre, String[] extra, String[] merges) {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) tokens.add(ByteLevelBpeTokenizer.mapBytes(new byte[] {(byte) b}));
        tokens.addAll(List.of(extra));
        GgufWriter w = new GgufWriter()
                .putString("tokenizer.ggml.model", "gpt2")
                .putArray("tokenizer.ggml.tokens", GgufArray.of(tokens.toArray(String[]::new)));
        if (pre != null) w.putString("tokenizer.ggml.pre", pre);
        if (merges != null) w.putArray("tokenizer.ggml.merges", GgufArray.of(merges));
        Path p = dir.resolve(name);
        w.write(p);
        return p;
    }

    private static ByteLevelBpeTokenizer load(Path p) {
        try (GgufFile f = GgufFile.open(p)) {
            return (ByteLevelBpeTokenizer) Tokenizers.fromGguf(f);
        }
    }

    @Test
    void mergesApplyLowestRankFirstThenLeftmost() {
        ByteLevelBpeTokenizer tok = load(tinyVocab("tiny.gguf", "gpt-2",
                new String[] {"bc", "ab", "abc", "aa", "Ġa"}, new String[] {"b c", "a b", "a bc", "a a", "Ġ a"}));
        int bc = tok.tokenId("bc"), abc = tok.tokenId("abc"), aa = tok.tokenId("aa"), a = tok.tokenId("a");
        assertThat(tok.encode("abc", false, false)).containsExactly(abc); // b+c (rank 0) before a+b (rank 1)
        assertThat(tok.encode("bc", false, false)).containsExactly(bc);
        assertThat(tok.encode("aaa", false, false)).containsExactly(aa, a); // equal ranks: leftmost pair first
        // " aa": a+a (rank 3) beats Ġ+a (rank 4), and Ġ+aa is no merge
        assertThat(tok.encode("aaa aa", false, false)).containsExactly(aa, a, tok.tokenId("Ġ"), aa);
        assertThat(tok.encode(" ab", false, false)).containsExactly(tok.tokenId("Ġ"), tok.tokenId("ab"));
        assertThat(tok.decode(tok.encode("aaa aa", false, false))).isEqualTo("aaa aa");
        assertThat(tok.bosId()).isEqualTo(11); // llama.cpp's BPE default
        assertThat(tok.addBosByDefault()).isFalse();
    }

    @Test
    void missingPreTokenizerMeansDefault() {
        ByteLevelBpeTokenizer tok = load(tinyVocab("no-pre.gguf", null, new String[0], new String[0]));
        assertThat(tok.preTokenizerName()).isEqualTo("default");
        assertThat(tok.preTokenizer()).isEqualTo(PreTokenizer.DEFAULT);
        assertThat(tok.decode(tok.encode("x 1234!", false, false))).isEqualTo("x 1234!");
    }

    @Test
    void missingMergesAreNamed() {
        Path p = tinyVocab("no-merges.gguf", "gpt-2", new String[0], null);
        try (GgufFile f = GgufFile.open(p)) {
            assertThatThrownBy(() -> Tokenizers.fromGguf(f))
                    .isInstanceOf(GgufException.class)
                    .hasMessageContaining(p.toString())
                    .hasMessageContaining("tokenizer.ggml.merges");
        }
    }

    // ---------------------------------------------------------------- performance

    /** About 100 KB of varied text: random words, numbers, punctuation, CJK, emoji, newlines. */
    static String randomText(long seed, int chars) {
        Random rnd = new Random(seed);
        String[] alphabets = {"abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789",
                "éèàüößçñ", "世界日本語中文字", "привет", ".,;:!?'\"()-"};
        StringBuilder sb = new StringBuilder(chars + 32);
        while (sb.length() < chars) {
            int r = rnd.nextInt(100);
            if (r < 3) sb.append('\n');
            else if (r < 5) sb.append("🦙");
            else {
                String alphabet = alphabets[r < 60 ? 0 : r < 70 ? 1 : r < 80 ? 2 : r < 85 ? 3 : r < 90 ? 4 : r < 95 ? 5 : 6];
                int len = 1 + rnd.nextInt(9);
                for (int i = 0; i < len; i++) sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            sb.append(' ');
        }
        return sb.toString();
    }

    /**
     * 100 KB in well under a second. The bound is loose on purpose (the machine may be busy): it
     * is there to catch quadratic behaviour, which would take far longer. Each text is new to
     * the word cache; the best of three runs after a warm-up is timed.
     */
    @Test
    void encodingAHundredKilobytesIsFast() {
        for (String name : List.of(TokenizerTestSupport.LLAMA_BPE, TokenizerTestSupport.QWEN2,
                TokenizerTestSupport.DEEPSEEK_LLM, TokenizerTestSupport.GPT2)) {
            Tokenizer tok = TokenizerTestSupport.vocab(name);
            tok.encode(randomText(1, 100_000), false, false); // warm-up
            long best = Long.MAX_VALUE;
            for (int run = 0; run < 3; run++) {
                String text = randomText(100 + run, 100_000);
                long t0 = System.nanoTime();
                int[] ids = tok.encode(text, false, false);
                best = Math.min(best, System.nanoTime() - t0);
                assertThat(tok.decode(ids)).isEqualTo(text);
            }
            long ms = best / 1_000_000;
            System.out.printf("%s: encoded 100 KB in %d ms (best of 3)%n", name, ms);
            assertThat(ms).as("%s: ms to encode 100 KB", name).isLessThan(2_000);
        }
    }

    @Test
    void aLongWordWithoutSpacesIsNotQuadratic() {
        Tokenizer tok = TokenizerTestSupport.vocab(TokenizerTestSupport.GPT2);
        String word = "abcdefghij".repeat(10_000); // one 100 KB word
        long t0 = System.nanoTime();
        int[] ids = tok.encode(word, false, false);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("gpt-2: one %d-char word to %d tokens in %d ms%n", word.length(), ids.length, ms);
        assertThat(tok.decode(ids)).isEqualTo(word);
        assertThat(ms).isLessThan(2_000);
    }
}
