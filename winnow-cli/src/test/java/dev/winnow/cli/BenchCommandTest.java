package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    @Test
    void markdownTable() {
        Cli.Result r = Cli.run("bench", "-m", SharedData.stories(), "-p", "32", "-n", "8", "-r", "1", "--no-warmup");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("(?m)^\\| model +\\| +size \\|")
                .containsPattern("(?m)^\\| stories260K\\.gguf .*\\| +pp32 \\| +[\\d.]+ ± [\\d.]+ \\|")
                .containsPattern("(?m)^\\| stories260K\\.gguf .*\\| +tg8 \\| +[\\d.]+ ± [\\d.]+ \\|")
                .contains("peak RSS: ")
                .containsPattern("(?m)^CPU: \\S.*, (\\d+-bit vectors \\(\\d+ floats\\)|scalar \\(no vectors\\)), \\d+ threads; weights as mapped$")
                .containsPattern("decode bandwidth \\(tg8\\): [\\d.]+ GB/s");
        assertThat(r.err()).contains("pp32 run 1/1").contains("tg8 run 1/1");
    }

    @Test
    void json() throws Exception {
        Cli.Result r = Cli.run("bench", "-m", SharedData.stories(), "-p", "32", "-n", "8", "-r", "2", "--no-warmup", "--json", "-t", "1");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.path("n_threads").asInt()).isEqualTo(1);
        assertThat(j.path("cpu_info").asText()).isNotBlank();
        assertThat(j.path("kv").asText()).as("default cache").isEqualTo("f16");
        assertThat(j.path("vector_bits").asInt()).isIn(0, 128, 256, 512);
        JsonNode results = j.path("results");
        assertThat(results).hasSize(2);
        assertThat(results.get(0).path("test").asText()).isEqualTo("pp32");
        assertThat(results.get(1).path("test").asText()).isEqualTo("tg8");
        assertThat(results.get(1).path("samples_ts")).hasSize(2);
        assertThat(results.get(1).path("median_ts").asDouble()).isPositive();
        assertThat(j.path("weight_bytes_per_token").asLong()).isPositive();
        assertThat(j.path("load_ms").asDouble()).isPositive();
        assertThat(j.path("load_first_token_ms").asDouble()).isGreaterThanOrEqualTo(j.path("load_ms").asDouble());
        assertThat(j.path("process_first_token_ms").asDouble()).isGreaterThanOrEqualTo(j.path("load_first_token_ms").asDouble());
        assertThat(results.get(1).path("kv_fraction_read").asDouble()).isEqualTo(1.0);
    }

    @Test
    void sparseAttentionReportsTheEntriesRead() throws Exception {
        Cli.Result r = Cli.run("bench", "-m", SharedData.stories(), "-p", "0", "-n", "8", "-d", "64", "-r", "1",
                "--no-warmup", "--json", "--kv", "quest:budget=32,dense=0"); // dense layers would read all
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode tg = new ObjectMapper().readTree(r.out()).path("results").get(0);
        assertThat(tg.path("test").asText()).isEqualTo("tg8 @ d64");
        assertThat(tg.path("kv_read_per_head_step").asDouble()).isBetween(1.0, 32.0);
        assertThat(tg.path("kv_fraction_read").asDouble()).isBetween(0.01, 0.99);
    }

    @Test
    void depthAndCompressionSpec() throws Exception {
        Cli.Result r = Cli.run("bench", "-m", SharedData.stories(), "-p", "8", "-n", "4", "-d", "0,16", "-r", "1",
                "--no-warmup", "--json", "--kv", "window:budget=8");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.path("kv").asText()).isEqualTo("window:budget=8");
        JsonNode results = j.path("results");
        assertThat(results).hasSize(4);
        assertThat(results.get(3).path("test").asText()).isEqualTo("tg4 @ d16");
        assertThat(results.get(3).path("n_depth").asInt()).isEqualTo(16);
        // 5 layers x 4 KV heads, each held at the window of 8 entries after 16 + 4 tokens
        assertThat(results.get(3).path("kv_entries").asLong()).isEqualTo(8 * 4 * 5);
        assertThat(results.get(3).path("kv_bytes").asLong()).isPositive();
        assertThat(j.path("decode_bandwidth_gbs").asDouble()).isPositive();
    }

    @Test
    void parallelSequencesDecodeTogetherAndReportTheAggregate() throws Exception {
        Cli.Result r = Cli.run("bench", "-m", SharedData.stories(), "-p", "0", "-n", "8", "-d", "16", "-r", "1",
                "--no-warmup", "--json", "--parallel", "1,4");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode results = new ObjectMapper().readTree(r.out()).path("results");
        assertThat(results).hasSize(2);
        JsonNode one = results.get(0), four = results.get(1);
        assertThat(one.path("test").asText()).isEqualTo("tg8 @ d16");
        assertThat(four.path("test").asText()).isEqualTo("tg8 x4 @ d16");
        assertThat(four.path("n_parallel").asInt()).isEqualTo(4);
        assertThat(four.path("median_ts").asDouble()).isPositive();
        // Four caches, each holding what the single sequence holds (16 + 8 entries per head).
        assertThat(one.path("kv_entries").asLong()).isEqualTo(24 * 4 * 5);
        assertThat(four.path("kv_entries").asLong()).isEqualTo(4 * one.path("kv_entries").asLong());
        assertThat(four.path("kv_fraction_read").asDouble()).isEqualTo(1.0);
    }

    @Test
    void parallelMustBePositive() {
        Cli.Result r = Cli.run("bench", "-m", SharedData.stories(), "--parallel", "0");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("--parallel must be in [1, 256], got 0");
    }

    /** Repacking is opt-in: --repack turns it on, --no-repack (the default) is still accepted, both together are refused. */
    @Test
    void repackIsOptIn() {
        Cli.Result on = Cli.run("bench", "-m", SharedData.path("models/synth-llama-Q8_0.gguf").toString(), "-p", "0", "-n", "2",
                "-r", "1", "--no-warmup", "--repack");
        assertThat(on.exit()).as(on.err()).isZero();
        assertThat(on.out()).containsPattern("(?m)threads; weights repacked at load \\(--repack\\)$");
        Cli.Result off = Cli.run("bench", "-m", SharedData.stories(), "-p", "0", "-n", "2", "-r", "1", "--no-warmup", "--no-repack");
        assertThat(off.exit()).as(off.err()).isZero();
        assertThat(off.out()).containsPattern("(?m)threads; weights as mapped$");
        Cli.Result both = Cli.run("bench", "-m", SharedData.stories(), "--repack", "--no-repack");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("--repack").contains("--no-repack").doesNotContain("Exception");
    }
}
