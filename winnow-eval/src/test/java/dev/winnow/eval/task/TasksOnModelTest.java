package dev.winnow.eval.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.eval.EvalException;
import dev.winnow.eval.Evaluation;
import dev.winnow.eval.SharedData;
import dev.winnow.eval.metrics.TextMetrics;
import dev.winnow.eval.report.ReportCheck;
import dev.winnow.eval.sweep.CellResult;
import dev.winnow.eval.sweep.SweepConfig;
import dev.winnow.eval.sweep.SweepResult;
import dev.winnow.generate.Sampler;
import dev.winnow.generate.Session;
import dev.winnow.model.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every task end to end on stories260K with small settings: it completes, records its metrics
 * and details, and its report renders. Accuracies of this 260K-parameter model on retrieval
 * tasks are near zero and are not asserted.
 */
class TasksOnModelTest {
    private static Model model;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        model = Model.load(SharedData.stories());
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    private SweepResult sweep(Task task, String... specs) {
        return Evaluation.sweep(model, SweepConfig.builder(task).spec(specs).budgets(32).results(dir.resolve("results.jsonl")).build());
    }

    @Test
    void needleRunsTheGridAndReportsAHeatMap() throws IOException {
        NeedleTask.Options d = NeedleTask.Options.defaults();
        NeedleTask task = new NeedleTask(new NeedleTask.Options(List.of(128, 192), List.of(0.0, 0.5, 1.0), 1, d.filler(), d.needle(),
                d.question(), d.answerPrefix(), "number", 5), PromptFormat.PLAIN, 8);
        SweepResult r = sweep(task, "full", "window");
        assertThat(r.results()).hasSize(2);
        for (CellResult c : r.results()) {
            assertThat(c.task()).isEqualTo("needle");
            assertThat(c.metrics()).containsKeys("accuracy", "items", "items_skipped");
            assertThat(c.metric("items")).isEqualTo(6.0);
            assertThat(c.metric("accuracy")).isBetween(0.0, 1.0);
            List<?> grid = (List<?>) c.details().get("grid");
            assertThat(grid).hasSize(6);
            List<?> items = (List<?>) c.details().get("items");
            assertThat(items).hasSize(6);
            for (Object o : items) {
                Map<?, ?> item = (Map<?, ?>) o;
                int target = (Integer) item.get("length");
                // the prompt comes within about a filler sentence of its target length
                assertThat((Integer) item.get("prompt_tokens")).isBetween(target - 24, target + 24);
                assertThat(item.get("prediction")).isNotNull();
            }
        }
        Path report = dir.resolve("report");
        Evaluation.report(r.results(), report);
        List<Path> charts = ReportCheck.assertLocalAndNonEmpty(report);
        assertThat(charts.stream().map(p -> p.getFileName().toString())).anyMatch(n -> n.contains("heat"));
    }

    @Test
    void rulerVariantsRun() {
        for (String variant : List.of("multikey", "vartrack")) {
            RulerTask task = new RulerTask(new RulerTask.Options(variant, List.of(96, 192), 2, 3, 1, 2, TextSource.noise()),
                    PromptFormat.PLAIN, RulerTask.defaultMaxNewTokens(variant));
            CellResult c = Evaluation.run(model, task, "h2o:budget=48");
            assertThat(c.task()).isEqualTo("ruler-" + variant);
            assertThat(c.metric("score")).isBetween(0.0, 1.0);
            assertThat(c.metric("items")).isEqualTo(4.0);
            assertThat((List<?>) c.details().get("by_length")).hasSize(2);
            assertThat(c.kv().peakEntries()).isLessThanOrEqualTo(48 + 128);
        }
    }

    @Test
    void longBenchJsonlIsScoredAsLongBench() throws IOException {
        Path data = dir.resolve("qa.jsonl");
        Files.writeString(data, """
                {"context": "Lily had a red ball. She played with it in the park every day.", "input": "What colour was the ball?", "answers": ["red"]}
                {"context": "Tom saw a big dog near the tree.", "input": "Where was the dog?", "answers": ["near the tree", "by the tree"]}
                """);
        QaTask task = new QaTask(new QaTask.Options(QaDataset.read(data), QaTask.DEFAULT_TEMPLATE, TextMetrics.Metric.F1, 0, 0, true),
                PromptFormat.PLAIN, 12);
        CellResult c = Evaluation.run(model, task, "full");
        assertThat(c.metric("f1")).isBetween(0.0, 1.0);
        assertThat(c.metric("items")).isEqualTo(2.0);
        assertThat(c.taskParams()).containsEntry("metric", "f1");
        // prompts beyond the limit are cut in the middle, LongBench style
        String cut = QaTask.truncateMiddle(model.tokenizer(), "Once upon a time there was a little girl named Lily who loved the sun.", 8);
        assertThat(model.tokenizer().encode(cut, false, false).length).isBetween(6, 10);
        assertThat(cut).startsWith("Once").endsWith("sun.");
    }

    @Test
    void perplexityRunsPastTheContextOnlyForStreaming() {
        PerplexityTask task = new PerplexityTask(new PerplexityTask.Options(TextSource.sample(), 400, 50, 1, 200));
        SweepResult r = Evaluation.sweep(model, SweepConfig.builder(task).spec("full", "streaming:sinks=4,window=60", "window:budget=64").build());
        CellResult full = r.results().get(0), streaming = r.results().get(1), window = r.results().get(2);
        assertThat(full.metric("tokens_scored")).isEqualTo(199.0);
        assertThat(window.metric("tokens_scored")).isEqualTo(199.0);
        assertThat(streaming.metric("tokens_scored")).isEqualTo(399.0);
        assertThat(streaming.metrics()).containsKey("ppl_past_context");
        assertThat(full.metrics()).doesNotContainKey("ppl_past_context");
        // until the cache is full (64 entries) nothing differs: the first segment of 50 tokens is identical
        List<?> fullSeg = (List<?>) full.details().get("segments"), streamSeg = (List<?>) streaming.details().get("segments");
        assertThat(streamSeg).hasSize(8).doesNotContainNull();
        assertThat(fullSeg).hasSize(8);
        assertThat(fullSeg.get(0)).isEqualTo(streamSeg.get(0));
        assertThat(fullSeg.subList(0, 4)).doesNotContainNull();
        assertThat(fullSeg.subList(4, 8)).containsOnlyNulls();
        assertThat(streaming.kv().peakEntries()).isLessThanOrEqualTo(64 + 1);
        for (CellResult c : r.results()) assertThat(c.metric("ppl")).isBetween(1.0, 50.0);
    }

    @Test
    void tokenTasksTakeTokenIdsDirectly() {
        // A probe whose expected tokens are the full cache's own predictions: the full cache scores 100%.
        int[] text = model.tokenizer().encode(TextSource.sample().text());
        int[] context = Arrays.copyOf(text, 150);
        int[] continuation = Arrays.copyOfRange(text, 150, 190);
        Session s = new Session(model, 200, Session.DEFAULT_BATCH);
        s.prefill(context);
        int[] scored = {0, 9, 19, 29, 39};
        int[] expected = new int[scored.length];
        int k = 0;
        for (int i = 0; i < continuation.length; i++) {
            float[] logits = s.decode(continuation[i]);
            if (k < scored.length && scored[k] == i) expected[k++] = Sampler.argmax(logits, model.config().vocabSize());
        }
        TokenTask task = TokenTask.of("copy-probe", Map.of("probes", 1), List.of(new TokenProbe(context, continuation, scored, expected)));
        assertThat(Evaluation.run(model, task, "full").metric("accuracy")).isEqualTo(1.0);
        CellResult small = Evaluation.run(model, task, "window:budget=8");
        assertThat(small.metric("accuracy")).isBetween(0.0, 1.0);
        assertThat(small.kv().entriesPerHead()).isEqualTo(8.0);
        assertThatThrownBy(() -> new TokenProbe(context, continuation, new int[] {40}, new int[] {1}))
                .hasMessageContaining("outside -1..39");
    }

    @Test
    void chatTemplatesFormatThePrompt() {
        Path qwen = SharedData.path("templates/Qwen-Qwen2.5-7B-Instruct.jinja");
        PromptFormat.Formatter f = PromptFormat.chat(qwen).forModel(model);
        String text = f.text("Find the pass key.", "The pass key is");
        assertThat(text).contains("<|im_start|>user\nFind the pass key.<|im_end|>\n<|im_start|>assistant\nThe pass key is");
        assertThat(PromptFormat.PLAIN.forModel(model).text("Q?", "A:")).isEqualTo("Q?\nA:");
        // stories260K has no template of its own: asking for it is an error, not a silent fallback
        assertThatThrownBy(() -> PromptFormat.chat().forModel(model)).isInstanceOf(EvalException.class)
                .hasMessageContaining("has no chat template");
        // a needle run through the template file completes
        NeedleTask.Options d = NeedleTask.Options.defaults();
        NeedleTask task = new NeedleTask(new NeedleTask.Options(List.of(96), List.of(0.5), 1, d.filler(), d.needle(), d.question(),
                d.answerPrefix(), "number", 5), PromptFormat.chat(qwen), 6);
        CellResult c = Evaluation.run(model, task, "full");
        assertThat(c.taskParams().get("format")).isEqualTo("chat:" + qwen);
        assertThat(c.metric("items")).isEqualTo(1.0);
    }
}
