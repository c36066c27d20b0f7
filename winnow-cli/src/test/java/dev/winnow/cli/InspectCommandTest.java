package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    @Test
    void storiesDimensions() {
        Cli.Result r = Cli.run("inspect", SharedData.stories());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("architecture: llama")
                .contains("dim 64, layers 5, heads 8, KV heads 4, head size 8, FFN 172, vocab 512")
                .contains("supported")
                .contains("BOS 1 '<s>'").contains("EOS 2 '</s>'")
                .contains("F32")
                .contains("1.25 KiB per token"); // 2 × 5 layers × 4 KV heads × 8 × 4 bytes = 1280
    }

    @Test
    void json() throws Exception {
        Cli.Result r = Cli.run("inspect", SharedData.stories(), "--json");
        assertThat(r.exit()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.path("architecture").asText()).isEqualTo("llama");
        assertThat(j.path("runnable").asBoolean()).isTrue();
        JsonNode d = j.path("dimensions");
        assertThat(d.path("dim").asInt()).isEqualTo(64);
        assertThat(d.path("layers").asInt()).isEqualTo(5);
        assertThat(d.path("heads").asInt()).isEqualTo(8);
        assertThat(d.path("kvHeads").asInt()).isEqualTo(4);
        assertThat(d.path("vocab").asInt()).isEqualTo(512);
        assertThat(j.path("kvCacheF32").path("bytesPerToken").asLong()).isEqualTo(2L * 5 * 4 * 8 * 4);
        assertThat(j.path("tokenizer").path("bos").path("id").asInt()).isEqualTo(1);
        assertThat(j.path("tensorTypes").get(0).path("type").asText()).isEqualTo("F32");
        assertThat(j.path("parameters").asLong()).isPositive();
    }

    @Test
    void tensorsAndMetadata() {
        Cli.Result r = Cli.run("inspect", SharedData.stories(), "--tensors", "--metadata");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("token_embd.weight").contains("[64, 512]").contains("blk.4.ffn_down.weight")
                .contains("tokenizer.ggml.tokens").contains("STRING[512]").contains("llama.block_count");
        Cli.Result j = Cli.run("inspect", SharedData.stories(), "--tensors", "--metadata", "--json");
        assertThat(j.exit()).isZero();
        assertThat(j.out()).contains("\"tensors\"").contains("\"metadata\"");
    }

    @Test
    void vocabOnlyFile() {
        Path vocab = SharedData.path("tokenizers/ggml-vocab-llama-spm.gguf");
        Cli.Result r = Cli.run("inspect", vocab);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("vocab-only").contains("vocab 32000");
        assertThat(Cli.run("inspect", vocab, "--json", "--metadata").exit()).isZero();
    }

    @Test
    void unsupportedArchitectureFallsBackToGgufInfo(@TempDir Path dir) {
        Cli.Result r = Cli.run("inspect", BadInputTest.mambaFile(dir));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("architecture: mamba").contains("not runnable")
                .contains("unsupported architecture 'mamba'").contains("dim 64").contains("vocab 512");
    }
}
