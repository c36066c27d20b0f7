package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.generate.Session;
import dev.winnow.gguf.GgufFile;
import dev.winnow.model.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SynthCommandTest {
    @TempDir
    Path dir;

    private Path synth(String type, String... extra) {
        Path out = dir.resolve("tiny-" + type + ".gguf");
        java.util.List<Object> a = new java.util.ArrayList<>(java.util.List.of("synth", "-o", out, "--preset", "tiny", "--type", type));
        a.addAll(java.util.List.of(extra));
        Cli.Result r = Cli.run(a.toArray());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote");
        assertThat(out).exists();
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_0"})
    void tinyModelRunsAndInspectShowsItsType(String type) throws Exception {
        Path model = synth(type, "--vocab", SharedData.stories().toString());

        Cli.Result gen = Cli.run("generate", "-m", model, "-p", "Once upon a time", "-n", "8", "--temp", "0", "--ignore-eos");
        assertThat(gen.exit()).as(gen.err()).isZero();
        assertThat(gen.err()).contains("generated: 8 tokens");

        Cli.Result inspect = Cli.run("inspect", model);
        assertThat(inspect.exit()).isZero();
        assertThat(inspect.out()).contains("supported").contains("dim 64, layers 2, heads 4, KV heads 2, head size 16, FFN 128, vocab 512")
                .containsPattern("(?m)^\\s+" + type + "\\s+\\d+");

        try (GgufFile f = GgufFile.open(model)) {
            assertThat(f.tensor("token_embd.weight").type().name()).isEqualTo(type);
            assertThat(f.tensor("blk.1.ffn_down.weight").type().name()).isEqualTo(type);
            assertThat(f.tensor("blk.0.attn_norm.weight").type().name()).isEqualTo("F32");
            // Q4_0 files get Q6_K for output.weight, which needs rows of 256: tiny's 64 fall back to Q8_0.
            assertThat(f.tensor("output.weight").type().name()).isEqualTo("Q8_0");
            assertThat(f.getString("general.architecture")).isEqualTo("llama");
            assertThat(f.getInt("llama.rope.dimension_count")).isEqualTo(16);
        }
        // Random weights, finite activations.
        try (Model m = Model.load(model)) {
            float[] logits = new Session(m, 64, 16).prefill(m.tokenizer().encode("Once upon a time"));
            for (float v : logits) assertThat(Float.isFinite(v)).isTrue();
        }
    }

    @Test
    void sameSeedSameFileWhateverTheThreads() throws Exception {
        Path a = synth("Q4_0", "--seed", "7", "-t", "1", "-q");
        Path b = dir.resolve("again.gguf");
        assertThat(Cli.run("synth", "-o", b, "--preset", "tiny", "--type", "Q4_0", "--seed", "7", "-t", "2", "-q").exit()).isZero();
        assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
        Path c = dir.resolve("other.gguf");
        assertThat(Cli.run("synth", "-o", c, "--preset", "tiny", "--type", "Q4_0", "--seed", "8", "-q").exit()).isZero();
        assertThat(Files.mismatch(a, c)).isNotEqualTo(-1L);
    }

    @Test
    void vocabularyIsPaddedUpToTheVocabSize() {
        Path model = synth("Q8_0", "--vocab-size", "640", "--dim", "96", "--heads", "6", "--kv-heads", "3");
        Cli.Result inspect = Cli.run("inspect", model);
        assertThat(inspect.out()).contains("dim 96").contains("heads 6").contains("KV heads 3").contains("vocab 640");
        Cli.Result tok = Cli.run("tokenize", "-m", model, "Once upon a time");
        assertThat(tok.exit()).isZero();
        try (Model m = Model.load(model)) {
            assertThat(m.tokenizer().vocabSize()).isEqualTo(640);
            assertThat(m.tokenizer().tokenText(639)).isEqualTo("<unused_127>");
        }
    }

    @Test
    void vocabularyLargerThanTheModelIsAnError() {
        Cli.Result r = Cli.run("synth", "-o", dir.resolve("x.gguf"), "--preset", "tiny", "--vocab-size", "100");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().asString().startsWith("winnow: ").contains("512 tokens")
                .contains("--vocab-size 512");
        assertThat(dir.resolve("x.gguf")).doesNotExist();
    }
}
