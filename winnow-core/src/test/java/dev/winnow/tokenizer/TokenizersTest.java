package dev.winnow.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.SharedData;
import dev.winnow.gguf.GgufArray;
import dev.winnow.gguf.GgufException;
import dev.winnow.gguf.GgufFile;
import dev.winnow.gguf.GgufWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizersTest {
    @TempDir
    Path dir;

    private static final String[] TOKENS = {"<unk>", "<s>", "</s>", "▁", "a", "▁a"};
    private static final float[] SCORES = {0, 0, 0, -1, -2, -0.5f};
    private static final int[] TYPES = {2, 3, 3, 1, 1, 1};

    private GgufWriter tokenizerMetadata(String model) {
        return new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("tokenizer.ggml.model", model)
                .putArray("tokenizer.ggml.tokens", GgufArray.of(TOKENS))
                .putArray("tokenizer.ggml.scores", GgufArray.of(SCORES))
                .putArray("tokenizer.ggml.token_type", GgufArray.ofInt32(TYPES))
                .putUInt32("tokenizer.ggml.bos_token_id", 1)
                .putUInt32("tokenizer.ggml.eos_token_id", 2)
                .putUInt32("tokenizer.ggml.unknown_token_id", 0);
    }

    private Tokenizer load(GgufWriter w, String name) {
        Path p = dir.resolve(name);
        w.write(p);
        try (GgufFile f = GgufFile.open(p)) {
            return Tokenizers.fromGguf(f);
        }
    }

    @Test
    void llamaModelGivesASentencePieceTokenizerThatOutlivesTheFile() {
        Tokenizer t = load(tokenizerMetadata("llama"), "ok.gguf");
        assertThat(t).isInstanceOf(SentencePieceTokenizer.class);
        assertThat(t.encode("a a")).containsExactly(1, 5, 5);
        assertThat(t.decode(new int[] {1, 5, 5})).isEqualTo("a a");
        assertThat(Tokenizers.supportedModels()).containsExactly("llama", "gpt2");
    }

    @Test
    void flagsAndSpecialIdsComeFromMetadata() {
        SentencePieceTokenizer t = (SentencePieceTokenizer) load(tokenizerMetadata("llama")
                .putBool("tokenizer.ggml.add_bos_token", false)
                .putBool("tokenizer.ggml.add_space_prefix", false)
                .putUInt32("tokenizer.ggml.padding_token_id", 0xFFFFFFFF) // "none"
                .putUInt32("tokenizer.ggml.eot_token_id", 4), "flags.gguf");
        assertThat(t.addBosByDefault()).isFalse();
        assertThat(t.addSpacePrefix()).isFalse();
        assertThat(t.padId()).isEqualTo(-1);
        assertThat(t.encode("a a")).containsExactly(4, 5);
        assertThat(t.eotId()).isEqualTo(4);
        assertThat(t.isEndOfGeneration(4)).isTrue();
        assertThat(t.isEndOfGeneration(2)).isTrue();
    }

    @Test
    void missingTokenizerModelIsNamed() {
        Path p = dir.resolve("no-tokenizer.gguf");
        new GgufWriter().putString("general.architecture", "llama").write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertThatThrownBy(() -> Tokenizers.fromGguf(f))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(p.toString())
                    .hasMessageContaining("tokenizer.ggml.model")
                    .hasMessageContaining("\"llama\"");
        }
    }

    @Test
    void unknownTokenizerModelIsNamedWithTheSupportedOnes() {
        Path p = dir.resolve("bert.gguf");
        tokenizerMetadata("bert").write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertThatThrownBy(() -> Tokenizers.fromGguf(f))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(p.toString())
                    .hasMessageContaining("\"bert\"")
                    .hasMessageContaining("supported tokenizer models: \"llama\"");
        }
    }

    @Test
    void missingTokensAreNamed() {
        Path p = dir.resolve("no-tokens.gguf");
        new GgufWriter().putString("tokenizer.ggml.model", "llama").write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertThatThrownBy(() -> Tokenizers.fromGguf(f))
                    .isInstanceOf(GgufException.class)
                    .hasMessageContaining(p.toString())
                    .hasMessageContaining("tokenizer.ggml.tokens");
        }
    }

    @Test
    void missingScoresAreNamed() {
        Path p = dir.resolve("no-scores.gguf");
        new GgufWriter().putString("tokenizer.ggml.model", "llama")
                .putArray("tokenizer.ggml.tokens", GgufArray.of(TOKENS)).write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertThatThrownBy(() -> Tokenizers.fromGguf(f))
                    .isInstanceOf(GgufException.class)
                    .hasMessageContaining("tokenizer.ggml.scores");
        }
    }

    @Test
    void shortScoreArrayIsReported() {
        Path p = dir.resolve("short-scores.gguf");
        tokenizerMetadata("llama").putArray("tokenizer.ggml.scores", GgufArray.of(0f, 0f)).write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertThatThrownBy(() -> Tokenizers.fromGguf(f))
                    .isInstanceOf(GgufException.class)
                    .hasMessageContaining("tokenizer.ggml.scores")
                    .hasMessageContaining("2 entries");
        }
    }

    @Test
    void duplicateTokensAreReported() {
        Path p = dir.resolve("dup.gguf");
        tokenizerMetadata("llama").putArray("tokenizer.ggml.tokens",
                GgufArray.of("<unk>", "<s>", "</s>", "▁", "a", "a")).write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertThatThrownBy(() -> Tokenizers.fromGguf(f))
                    .isInstanceOf(GgufException.class)
                    .hasMessageContaining("duplicate token")
                    .hasMessageContaining("'a'");
        }
    }

    @Test
    void missingSharedDataAbortsTheTestNamingTheFile() {
        assertThatThrownBy(() -> SharedData.path("tokenizers/no-such-vocab.gguf"))
                .isInstanceOf(org.opentest4j.TestAbortedException.class)
                .hasMessageContaining("tokenizers/no-such-vocab.gguf");
    }

    @Test
    void sharedVocabularyFilesLoad() {
        Path p = SharedData.path("tokenizers/" + TokenizerTestSupport.LLAMA_SPM);
        try (GgufFile f = GgufFile.open(p)) {
            assertThat(Tokenizers.fromGguf(f)).isInstanceOf(SentencePieceTokenizer.class);
        }
    }

    @Test
    void gpt2ModelGivesAByteLevelBpeTokenizer() {
        Path p = SharedData.path("tokenizers/" + TokenizerTestSupport.GPT2);
        Tokenizer t;
        try (GgufFile f = GgufFile.open(p)) {
            t = Tokenizers.fromGguf(f);
        }
        assertThat(t).isInstanceOf(ByteLevelBpeTokenizer.class);
        assertThat(t.decode(t.encode("Hello world"))).isEqualTo("Hello world");
    }
}
