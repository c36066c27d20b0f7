package dev.winnow.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code winnow eval …} end to end on stories260K with small settings, and its errors. */
class EvalCommandTest {
    @TempDir
    Path dir;

    @Test
    void fidelityPrintsATableAndAppendsResults() throws IOException {
        Path model = EvalCli.stories();
        Path results = dir.resolve("r.jsonl");
        EvalCli.Result r = EvalCli.run("eval", "fidelity", "-m", model, "--kv", "full", "--kv", "window", "--budgets", "16,32",
                "--tokens", "64", "--gen-tokens", "16", "-t", "1", "-o", results);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("## fidelity — ").contains("| `full` | - | 100.0% | 0 | 0 |")
                .contains("| `window:budget=16` | budget=16 |").contains("| `window:budget=32` | budget=32 |");
        assertThat(r.err()).contains("3 cells").contains("[3/3] window:budget=32").contains("ETA");
        assertThat(Files.readAllLines(results)).hasSize(3);
        // a re-run computes nothing
        EvalCli.Result again = EvalCli.run("eval", "fidelity", "-m", model, "--kv", "full", "--kv", "window", "--budgets", "16,32",
                "--tokens", "64", "--gen-tokens", "16", "-t", "1", "-o", results);
        assertThat(again.exit()).isZero();
        assertThat(again.err()).contains("3 cells (3 done before: skipped)").doesNotContain("[1/3]");
        assertThat(Files.readAllLines(results)).hasSize(3);
    }

    /** Issue 19: -b 10000000 and -t 1000 run clamped, with a note, in seconds (no OutOfMemoryError, no 1000 threads). */
    @Test
    void hugeBatchAndThreadCountsAreClampedWithANote() {
        long start = System.nanoTime();
        EvalCli.Result r = EvalCli.run("eval", "fidelity", "-m", EvalCli.stories(), "--kv", "full", "--kv", "int8",
                "--tokens", "32", "--gen-tokens", "8", "-b", "10000000", "-t", "1000");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("--batch 10000000 is more than the context 2048; using 2048")
                .contains("--threads 1000 is more than the").doesNotContain("Exception").doesNotContain("\tat ");
        // int8 keeps every entry but not every byte; identical generations never diverge
        assertThat(r.out()).containsPattern("\\| `int8` \\| - \\|.*\\| [1-9]\\d\\.\\d% \\| 0\\.0% \\|")
                .containsPattern("\\| `full` \\| - \\|.*\\| never \\|");
        assertThat(System.nanoTime() - start).as("seconds, not minutes").isLessThan(120_000_000_000L);
    }

    @Test
    void sweepResumesAndReportWritesThePage() throws IOException {
        Path model = EvalCli.stories();
        Path results = dir.resolve("sweep.jsonl");
        Object[] args = {"eval", "sweep", "-m", model, "--task", "needle", "--kv", "full", "--kv", "h2o", "--kv", "streaming",
            "--budgets", "32,64", "--lengths", "96,160", "--depths", "0,1", "--samples", "1", "--max-new-tokens", "6", "-o", results};
        EvalCli.Result first = EvalCli.run(append(args, "--max-cells", "2"));
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.err()).contains("stopped after 2 cells; run the same command again to resume");
        assertThat(Files.readAllLines(results)).hasSize(2);
        EvalCli.Result rest = EvalCli.run(args);
        assertThat(rest.exit()).as(rest.err()).isZero();
        assertThat(rest.err()).contains("5 cells (2 done before: skipped)").contains("done: 5 cells");
        assertThat(rest.out()).contains("| `streaming:window=60` | budget=64 |").contains("accuracy");
        assertThat(Files.readAllLines(results)).hasSize(5);

        Path report = dir.resolve("report");
        EvalCli.Result rep = EvalCli.run("eval", "report", results, "-o", report);
        assertThat(rep.exit()).as(rep.err()).isZero();
        assertThat(rep.out()).contains("index.html (5 cells");
        assertThat(report.resolve("index.html")).isRegularFile();
        assertThat(report.resolve("results.csv")).isRegularFile();
        try (var charts = Files.list(report.resolve("charts"))) {
            assertThat(charts.map(p -> p.getFileName().toString()).toList()).anyMatch(n -> n.contains("heat"))
                    .anyMatch(n -> n.contains("accuracy-vs-ratio"));
        }
    }

    @Test
    void otherTasksRun() throws IOException {
        Path model = EvalCli.stories();
        EvalCli.Result ruler = EvalCli.run("eval", "ruler", "-m", model, "--variant", "vartrack", "--kv", "snapkv:budget=48,window=8",
                "--lengths", "128", "--samples", "2", "--hops", "2");
        assertThat(ruler.exit()).as(ruler.err()).isZero();
        assertThat(ruler.out()).contains("## ruler-vartrack").contains("| `snapkv:budget=48,window=8` |");
        EvalCli.Result ppl = EvalCli.run("eval", "ppl", "-m", model, "--kv", "streaming:sinks=4,window=28", "--tokens", "200",
                "--context", "100", "--segment", "50");
        assertThat(ppl.exit()).as(ppl.err()).isZero();
        assertThat(ppl.out()).contains("ppl_past_context").contains("| 199 |");
        Path data = dir.resolve("qa.jsonl");
        Files.writeString(data, "{\"context\": \"Lily had a red ball.\", \"input\": \"What colour was the ball?\", \"answers\": [\"red\"]}\n");
        EvalCli.Result qa = EvalCli.run("eval", "longbench", "-m", model, "--kv", "full", "--data", data, "--metric", "rouge-l",
                "--max-new-tokens", "8");
        assertThat(qa.exit()).as(qa.err()).isZero();
        assertThat(qa.out()).contains("## longbench").contains("rouge-l");
    }

    @Test
    void errorsAreOneClearLine() throws IOException {
        Path model = EvalCli.stories();
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"context\": \"c\", \"input\": \"q\", \"answers\": [\"a\"]}\n{\"context\": \"c\", \"answers\": [\"a\"]}\n");
        EvalCli.Result r = EvalCli.run("eval", "longbench", "-m", model, "--data", bad);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().asString()
                .isEqualTo("winnow: " + bad + ":2: missing field 'input' (each line needs context, input, answers)");
        Files.writeString(bad, "{\"context\": \"c\", \"input\": \"q\", \"answers\": [\"a\"]}\nnot json\n");
        assertThat(EvalCli.run("eval", "longbench", "-m", model, "--data", bad).errLines()).singleElement().asString()
                .startsWith("winnow: " + bad + ":2: malformed JSON");

        EvalCli.Result wrong = EvalCli.run("eval", "sweep", "-m", model, "--task", "fidelity", "--depths", "0.5", "--kv", "full");
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.errLines()).singleElement().asString()
                .isEqualTo("winnow: option --depths (needle) does not apply to the fidelity task");
        // the task commands do not even accept other tasks' options
        assertThat(EvalCli.run("eval", "fidelity", "-m", model, "--depths", "0.5").exit()).isEqualTo(2);

        EvalCli.Result chat = EvalCli.run("eval", "needle", "-m", model, "--kv", "full", "--chat", "--lengths", "64");
        assertThat(chat.exit()).isEqualTo(1);
        assertThat(chat.errLines()).last().asString().contains("stories260K.gguf has no chat template");

        EvalCli.Result ratio = EvalCli.run("eval", "fidelity", "-m", model, "--kv", "streaming", "--ratios", "0.5");
        assertThat(ratio.errLines()).singleElement().asString().contains("streaming takes no ratio=");
        EvalCli.Result both = EvalCli.run("eval", "fidelity", "-m", model, "--budgets", "8", "--ratios", "0.5");
        assertThat(both.errLines()).singleElement().asString().contains("give --budgets or --ratios, not both");
        EvalCli.Result task = EvalCli.run("eval", "sweep", "-m", model, "--task", "mmlu");
        assertThat(task.errLines()).singleElement().asString().contains("unknown task 'mmlu'; valid: fidelity, ppl, needle, ruler, longbench, recall");
        EvalCli.Result missing = EvalCli.run("eval", "report", dir.resolve("nope.jsonl"), "-o", dir.resolve("rep"));
        assertThat(missing.errLines()).singleElement().asString().endsWith("nope.jsonl: no such file");
    }

    private static Object[] append(Object[] a, Object... more) {
        Object[] out = java.util.Arrays.copyOf(a, a.length + more.length);
        System.arraycopy(more, 0, out, a.length, more.length);
        return out;
    }
}
