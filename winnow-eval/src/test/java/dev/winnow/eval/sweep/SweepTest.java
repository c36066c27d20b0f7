package dev.winnow.eval.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.eval.Evaluation;
import dev.winnow.eval.SharedData;
import dev.winnow.eval.report.ReportCheck;
import dev.winnow.eval.task.FidelityTask;
import dev.winnow.eval.task.TextSource;
import dev.winnow.model.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep of 6 specs × 3 budgets (+ full) on stories260K: interrupted twice (a cell limit, then
 * the cancellation hook in the middle of a cell), resumed without recomputing finished cells,
 * and its report renders.
 */
class SweepTest {
    @TempDir
    Path dir;

    /** Records which cells a run computed and skipped. */
    static final class Log implements SweepListener {
        final List<String> computed = new ArrayList<>(), skipped = new ArrayList<>();
        int total = -1, done = -1;

        @Override
        public void started(int total, int done) {
            this.total = total;
            this.done = done;
        }

        @Override
        public void skipped(Cell cell, CellResult previous) {
            skipped.add(cell.spec());
        }

        @Override
        public void cellFinished(Cell cell, CellResult result) {
            computed.add(cell.spec());
        }
    }

    @Test
    @Timeout(300)
    void sweepIsResumableAndItsReportRenders() throws Exception {
        long t0 = System.nanoTime();
        Path results = dir.resolve("results.jsonl");
        FidelityTask task = new FidelityTask(new FidelityTask.Options(TextSource.sample(), 16, 112, "Once upon a time", 24));
        try (Model model = Model.load(SharedData.stories())) {
            SweepConfig.Builder base = SweepConfig.builder(task).spec("full", "window", "streaming", "h2o", "snapkv", "adakv", "scissorhands")
                    .budgets(16, 32, 64).results(results);
            int cells = 1 + 6 * 3;

            // 1. stops after 5 cells (cell limit)
            Log l1 = new Log();
            SweepResult r1 = Evaluation.sweep(model, base.maxCells(5).listener(l1).build());
            assertThat(l1.total).isEqualTo(cells);
            assertThat(r1.complete()).isFalse();
            assertThat(r1.computed()).isEqualTo(5);
            assertThat(Files.readAllLines(results)).hasSize(5);

            // 2. cancelled in the middle of its third cell: two more recorded, the third not
            Log l2 = new Log();
            AtomicBoolean cancel = new AtomicBoolean();
            AtomicInteger finished = new AtomicInteger();
            SweepListener cancelling = new SweepListener() {
                @Override
                public void progress(Cell cell, double fraction) {
                    if (finished.get() == 2 && fraction > 0.3) cancel.set(true);
                }

                @Override
                public void cellFinished(Cell cell, CellResult result) {
                    finished.incrementAndGet();
                    l2.cellFinished(cell, result);
                }

                @Override
                public void skipped(Cell cell, CellResult previous) {
                    l2.skipped(cell, previous);
                }
            };
            SweepResult r2 = Evaluation.sweep(model, base.maxCells(0).cancelled(cancel::get).listener(cancelling).build());
            assertThat(cancel.get()).isTrue();
            assertThat(r2.complete()).isFalse();
            assertThat(r2.computed()).isEqualTo(2);
            assertThat(l2.skipped).containsExactlyElementsOf(l1.computed);
            List<String> afterTwo = Files.readAllLines(results);
            assertThat(afterTwo).hasSize(7);

            // 3. resumed to the end: the 7 finished cells are not recomputed
            Log l3 = new Log();
            SweepResult r3 = Evaluation.sweep(model, base.cancelled(() -> false).listener(l3).build());
            assertThat(r3.complete()).isTrue();
            assertThat(l3.done).isEqualTo(7);
            assertThat(r3.skipped()).isEqualTo(7);
            assertThat(r3.computed()).isEqualTo(cells - 7);
            Set<String> before = new HashSet<>(l1.computed);
            before.addAll(l2.computed);
            assertThat(l3.computed).doesNotContainAnyElementsOf(before);
            List<String> lines = Files.readAllLines(results);
            assertThat(lines).hasSize(cells).startsWith(afterTwo.toArray(String[]::new));
            assertThat(r3.results()).hasSize(cells);
            assertThat(r3.results().stream().map(CellResult::cell).distinct()).hasSize(cells);

            // 4. nothing left to do
            SweepResult r4 = Evaluation.sweep(model, base.listener(new Log()).build());
            assertThat(r4.computed()).isZero();
            assertThat(r4.skipped()).isEqualTo(cells);

            // every cell records what the issue asks for
            for (CellResult c : r3.results()) {
                assertThat(c.model().sha256()).hasSize(64);
                assertThat(c.model().name()).isNotBlank();
                assertThat(c.winnow()).isNotBlank();
                assertThat(c.metrics()).containsKeys("kl_mean", "kl_p95", "top1", "ppl", "ppl_delta", "gen_identical");
                // first_divergence is there unless the generation is identical to the full cache's ("never")
                assertThat(c.metrics().containsKey("first_divergence")).isEqualTo(c.metric("gen_identical") == 0.0);
                assertThat(c.kv().byteCompressionRatio()).isNotNull();
                assertThat(c.kv().bytes()).isPositive();
                assertThat(c.kv().peakEntries()).isPositive();
                assertThat(c.speed().prefillTokensPerSecond()).isPositive();
                assertThat(c.speed().decodeTokensPerSecond()).isPositive();
                assertThat(c.speed().wallSeconds()).isPositive();
                if (!c.policy().equals("full")) assertThat(c.budget()).isIn(16, 32, 64);
            }
            // compression is real: the smaller the budget, the fewer bytes
            CellResult w16 = find(r3, "window:budget=16"), w64 = find(r3, "window:budget=64"), full = find(r3, "full");
            assertThat(w16.kv().bytes()).isLessThan(w64.kv().bytes());
            assertThat(w64.kv().bytes()).isLessThan(full.kv().bytes());
            assertThat(w16.kv().peakEntries()).isLessThan(full.kv().peakEntries());
            assertThat(w16.kv().byteCompressionRatio()).isGreaterThan(w64.kv().byteCompressionRatio());
            assertThat(full.kv().byteCompressionRatio()).isEqualTo(0.0);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("sweep of 19 cells (interrupted twice, resumed): %.1f s%n", seconds);

        // the report
        Path report = dir.resolve("report");
        List<Path> files = Evaluation.report(ResultsFile.read(results), report);
        assertThat(files.getFirst()).isEqualTo(report.resolve("index.html"));
        assertThat(report.resolve("results.csv")).isRegularFile();
        assertThat(Files.readAllLines(report.resolve("results.csv"))).hasSize(1 + 19);
        assertThat(Files.readString(report.resolve("results.md"))).contains("| `snapkv:budget=32,window=8` |");
        List<Path> charts = ReportCheck.assertLocalAndNonEmpty(report);
        assertThat(charts.stream().map(p -> p.getFileName().toString()))
                .anyMatch(n -> n.contains("top1-vs-ratio")).anyMatch(n -> n.contains("kv-bytes-vs-budget"))
                .anyMatch(n -> n.contains("decode-vs-context"));
        ReportCheck.assertChromiumRenders(report, dir);
    }

    private static CellResult find(SweepResult r, String spec) {
        return r.results().stream().filter(c -> c.spec().equals(spec)).findFirst().orElseThrow();
    }
}
