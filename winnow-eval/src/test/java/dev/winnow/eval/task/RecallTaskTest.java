package dev.winnow.eval.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.eval.EvalException;
import dev.winnow.eval.Evaluation;
import dev.winnow.eval.SharedData;
import dev.winnow.eval.report.ReportCheck;
import dev.winnow.eval.sweep.CellResult;
import dev.winnow.eval.sweep.SpecGrid;
import dev.winnow.eval.sweep.SweepConfig;
import dev.winnow.eval.sweep.SweepResult;
import dev.winnow.kv.policy.KvPolicies;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.kv.policy.PolicyInfo;
import dev.winnow.model.Model;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recall task on recall-mqar.gguf and the 20 reference sequences of recall-examples.json,
 * through the sweep (the code path of {@code winnow eval recall} and {@code eval sweep}).
 */
class RecallTaskTest {
    private static Model model;
    private static Path examples;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        examples = SharedData.path("reference/recall-examples.json");
        model = Model.load(SharedData.path("models/recall-mqar.gguf"));
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    private static RecallTask task(RecallProtocol protocol) {
        return new RecallTask(RecallTask.Options.defaults().protocol(protocol).examples(examples));
    }

    private static Map<String, CellResult> bySpec(SweepResult r) {
        return r.results().stream().collect(Collectors.toMap(CellResult::spec, Function.identity()));
    }

    @Test
    void fullCacheAnswersEveryQueryAndAWindowOf128ForgetsThePairs() {
        Map<String, CellResult> agnostic = bySpec(Evaluation.sweep(model,
                SweepConfig.builder(task(RecallProtocol.AGNOSTIC)).spec("full", "window:budget=128").build()));
        CellResult full = agnostic.get("full");
        assertThat(full.task()).isEqualTo("recall");
        assertThat(full.taskParams()).containsEntry("protocol", "agnostic").containsEntry("sequences", 20);
        assertThat(full.metric("scored")).isEqualTo(20 * 32.0);
        assertThat(full.metric("accuracy")).isEqualTo(1.0);
        // the pairs (positions 1–128) are 320+ tokens behind the queries: a 128-entry window has none of them
        assertThat(agnostic.get("window:budget=128").metric("accuracy")).isLessThan(0.10);

        CellResult aware = Evaluation.run(model, task(RecallProtocol.AWARE), "full");
        assertThat(aware.task()).isEqualTo("recall-aware");
        assertThat(aware.metric("accuracy")).isEqualTo(1.0);
    }

    @Test
    void everyEvictionPolicyScoresFullWhenItsBudgetEvictsNothing() {
        // 512 entries per head hold the whole sequence (448 context + 64 query tokens): nothing is evicted
        List<KvSpec> bases = new ArrayList<>();
        for (PolicyInfo p : KvPolicies.all()) {
            if (p.name().equals("full")) continue; // no budget: it is the reference
            // SpecGrid gives a budget to every policy with a budget parameter and to sinks + window
            // policies (streaming, duo: window = budget − sinks); a policy with neither cannot take one
            boolean budgeted = has(p, "budget") || (has(p, "sinks") && has(p, "window"));
            if (budgeted) bases.add(KvSpec.parse(p.name()));
        }
        assertThat(bases).hasSizeGreaterThanOrEqualTo(15);
        int checked = 0;
        for (int budget = 512; !bases.isEmpty(); budget *= 4) {
            // A budget that is a mean over layers (PyramidKV: the top layer keeps window + (budget − window)/beta)
            // still evicts at 512; such a policy is run again with 4× the budget until it keeps everything.
            assertThat(budget).as("still evicting at the largest budget: %s", bases).isLessThanOrEqualTo(32768);
            Map<String, KvSpec> baseOf = new java.util.LinkedHashMap<>();
            for (KvSpec b : bases) baseOf.put(SpecGrid.withBudget(b, budget), b);
            List<String> specs = List.copyOf(baseOf.keySet());
            SweepResult r = Evaluation.sweep(model, SweepConfig.builder(task(RecallProtocol.AGNOSTIC)).specs(specs).build());
            List<KvSpec> evicting = new ArrayList<>();
            for (CellResult c : r.results()) {
                if (c.kv().compressionRatio() > 0) {
                    evicting.add(baseOf.get(c.spec()));
                    continue;
                }
                assertThat(c.metric("accuracy")).as(c.spec()).isEqualTo(1.0);
                checked++;
            }
            bases = evicting;
        }
        assertThat(checked).isGreaterThanOrEqualTo(15);
    }

    /** Sparse attention keeps every entry; with a budget of 512 each step reads all of them. */
    @Test
    void everySparseMethodScoresFullWhenItsBudgetReadsEverything() {
        List<String> specs = new ArrayList<>();
        for (PolicyInfo p : dev.winnow.kv.sparse.SparseMethods.all()) {
            String base = p.name().equals("doublesparse") ? "doublesparse:profile=off" : p.name();
            specs.add(SpecGrid.withBudget(KvSpec.parse(base), 512));
        }
        assertThat(specs).hasSize(6).contains("quest:budget=512", "tidal:budget=512");
        SweepResult r = Evaluation.sweep(model, SweepConfig.builder(task(RecallProtocol.AGNOSTIC)).specs(specs).build());
        assertThat(r.results()).hasSize(6);
        for (CellResult c : r.results()) {
            assertThat(c.kv().compressionRatio()).as(c.spec()).isEqualTo(0.0);
            assertThat(c.metric("accuracy")).as(c.spec()).isEqualTo(1.0);
        }
    }

    private static boolean has(PolicyInfo p, String param) {
        return p.params().stream().anyMatch(x -> x.name().equals(param));
    }

    @Test
    void aCiSizedSweepOfBothProtocolsRunsAndReportsByFamily() throws java.io.IOException {
        List<CellResult> all = new ArrayList<>();
        for (RecallProtocol p : RecallProtocol.values()) {
            SweepResult r = Evaluation.sweep(model, SweepConfig.builder(task(p)).spec("full", "window", "snapkv", "int8")
                    .budgets(16, 64, 256).results(dir.resolve("recall.jsonl")).build());
            assertThat(r.complete()).isTrue();
            all.addAll(r.results());
        }
        assertThat(all).hasSize(2 * (1 + 2 * 3 + 1));
        for (CellResult c : all) assertThat(c.metric("accuracy")).as(c.task() + " " + c.spec()).isBetween(0.0, 1.0);
        // an 8-bit cache loses nothing this model needs; a small window loses the pairs
        Map<String, CellResult> agnostic = all.stream().filter(c -> c.task().equals("recall"))
                .collect(Collectors.toMap(CellResult::spec, Function.identity()));
        assertThat(agnostic.get("int8").metric("accuracy")).isEqualTo(1.0);
        assertThat(agnostic.get("int8").budget()).isNull();
        assertThat(agnostic.get("window:budget=16").metric("accuracy")).isLessThan(0.10);
        assertThat(agnostic.get("int8").kv().bytes()).isLessThan(agnostic.get("full").kv().bytes() / 2);

        Path report = dir.resolve("report");
        Evaluation.report(all, report);
        List<String> charts = ReportCheck.assertLocalAndNonEmpty(report).stream().map(p -> p.getFileName().toString()).toList();
        assertThat(charts).anyMatch(n -> n.contains("recall-accuracy-vs-budget-eviction"))
                .anyMatch(n -> n.contains("recall-accuracy-vs-kv-bytes-quantization"))
                .anyMatch(n -> n.contains("recall-aware-accuracy-vs-budget-eviction"));
    }

    @Test
    void generatedSequencesAreAnsweredByTheFullCache() {
        RecallTask generated = new RecallTask(RecallTask.Options.defaults().sequences(3));
        assertThat(generated.params()).containsEntry("generator", "mqar-v1").containsEntry("sequences", 3);
        assertThat(Evaluation.run(model, generated, "full").metric("accuracy")).isEqualTo(1.0);
        assertThatThrownBy(() -> RecallTask.Options.defaults().sequences(0)).isInstanceOf(EvalException.class)
                .hasMessage("recall: sequences must be >= 1, got 0");
    }
}
