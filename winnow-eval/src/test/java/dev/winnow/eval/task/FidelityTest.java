package dev.winnow.eval.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.eval.Evaluation;
import dev.winnow.eval.SharedData;
import dev.winnow.eval.sweep.CellResult;
import dev.winnow.eval.sweep.SweepConfig;
import dev.winnow.eval.sweep.SweepResult;
import dev.winnow.model.Model;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fidelity task on stories260K: exact for the full cache, and it tells policies apart. */
class FidelityTest {
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(SharedData.stories());
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    @Test
    void fullAgainstItselfIsExactlyZeroKlAndFullAgreement() {
        FidelityTask task = new FidelityTask(new FidelityTask.Options(TextSource.sample(), 32, 160, "Once upon a time", 48));
        CellResult r = Evaluation.run(model, task, "full");
        assertThat(r.metric("kl_mean")).isEqualTo(0.0);
        assertThat(r.metric("kl_p95")).isEqualTo(0.0);
        assertThat(r.metric("kl_max")).isEqualTo(0.0);
        assertThat(r.metric("top1")).isEqualTo(1.0);
        assertThat(r.metric("ppl_delta")).isEqualTo(0.0);
        assertThat(r.metric("ppl")).isEqualTo(r.metric("ppl_full")).isBetween(1.0, 20.0);
        assertThat(r.metric("gen_identical")).isEqualTo(1.0);
        assertThat(r.metric("first_divergence")).isNull(); // identical: never diverges
        assertThat(r.kv().compressionRatio()).isEqualTo(0.0);
        assertThat(r.kv().byteCompressionRatio()).isEqualTo(0.0);
        assertThat(r.kv().entriesPerHead()).isEqualTo(191.0); // 32 + 160 tokens, the last scored one not fed
        assertThat(r.kv().bytes()).isPositive();
        assertThat(r.speed().decodeTokensPerSecond()).isPositive();
        assertThat(r.speed().prefillTokensPerSecond()).isPositive();
        assertThat(r.details().get("generated")).isEqualTo(r.details().get("generated_full"));
    }

    /**
     * int8 keeps every entry (entries compression 0) but holds fewer bytes: its byte compression
     * is 1 − its bytes / the full cache's bytes measured on the same task, and the report shows
     * it (not "0.0 %") and a generation identical to the full cache's as first divergence "never".
     */
    @Test
    void quantizationIsCompressionInBytesAndIdenticalGenerationsNeverDiverge() {
        FidelityTask task = new FidelityTask(new FidelityTask.Options(TextSource.sample(), 32, 96, "Once upon a time", 24));
        CellResult full = Evaluation.run(model, task, "full");
        CellResult int8 = Evaluation.run(model, task, "int8");
        assertThat(int8.kv().compressionRatio()).isEqualTo(0.0);
        double measured = 1 - (double) int8.kv().bytes() / full.kv().bytes();
        assertThat(measured).isBetween(0.3, 0.9);
        assertThat(int8.kv().byteCompressionRatio()).isCloseTo(measured, org.assertj.core.data.Offset.offset(1e-6));
        String md = dev.winnow.eval.report.Report.markdown(java.util.List.of(full, int8));
        String fullRow = md.lines().filter(l -> l.startsWith("| `full`")).findFirst().orElseThrow();
        String int8Row = md.lines().filter(l -> l.startsWith("| `int8`")).findFirst().orElseThrow();
        assertThat(md).contains("| compression (bytes) | compression (entries) |");
        assertThat(fullRow).contains("| never |");
        assertThat(int8Row).contains(String.format(java.util.Locale.ROOT, "| %.1f%% | 0.0%% |", 100 * measured));
    }

    /**
     * Window attention (recency only) against SnapKV and H2O at the same small budget on the
     * built-in sample text. SnapKV is clearly better (lower KL, higher top-1) — asserted; H2O is
     * about even with the window on this model (stories260K has no attention sinks and its
     * accumulated attention favours old tokens) — printed, not asserted.
     */
    @Test
    void windowScoresWorseThanSnapKvAtTheSameBudget() {
        FidelityTask task = new FidelityTask(new FidelityTask.Options(TextSource.sample(), 32, 224, "Once upon a time", 0));
        SweepResult r = Evaluation.sweep(model, SweepConfig.builder(task).spec("window", "h2o", "snapkv:trigger=decode").budgets(16, 32).build());
        Map<String, CellResult> by = new LinkedHashMap<>();
        for (CellResult c : r.results()) {
            by.put(c.spec(), c);
            System.out.printf("fidelity %-28s kl_mean %.4f  kl_p95 %.4f  top1 %.3f  ppl_delta %+.3f  entries/head %.1f%n", c.spec(),
                    c.metric("kl_mean"), c.metric("kl_p95"), c.metric("top1"), c.metric("ppl_delta"), c.kv().entriesPerHead());
        }
        CellResult window = by.get("window:budget=32"), snap = by.get("snapkv:trigger=decode,budget=32,window=8");
        assertThat(window.metric("kl_mean")).isGreaterThan(1.3 * snap.metric("kl_mean"));
        assertThat(window.metric("top1")).isLessThan(snap.metric("top1") - 0.02);
        assertThat(by.get("window:budget=16").metric("kl_mean")).isGreaterThan(by.get("snapkv:trigger=decode,budget=16,window=4").metric("kl_mean"));
        // and compression costs something at all
        assertThat(window.metric("kl_mean")).isPositive();
        assertThat(window.metric("top1")).isLessThan(1.0);
    }
}
