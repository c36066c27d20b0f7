package dev.winnow.eval.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.eval.EvalException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsFileTest {
    @TempDir
    Path dir;

    static CellResult result(String id, String spec, Integer budget, double top1) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("top1", top1);
        metrics.put("kl_mean", 1 - top1);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("tokens", 64);
        params.put("text", "sample@abc");
        return new CellResult("0.1.0", "2026-01-01T00:00:00Z", id, new CellResult.ModelInfo("m", "m.gguf", "ab".repeat(32), 1000),
                "fidelity", params, spec, spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec,
                spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec, budget, null, 0, 128, 2, metrics,
                List.of("top1", "kl_mean"), new CellResult.Kv(1024, 2048, budget == null ? 64 : budget, 32.5, 0.5, 0.6),
                new CellResult.Speed(1000, 500, 32, 64, 0.25, Map.of("0", 800.0, "64", 700.0)), Map.of("generated", "text"));
    }

    @Test
    void roundTrip() {
        Path f = dir.resolve("r.jsonl");
        CellResult a = result("c1", "window:budget=32", 32, 0.9), b = result("c2", "full", null, 1);
        ResultsFile.append(f, a);
        ResultsFile.append(f, b);
        List<CellResult> back = ResultsFile.read(f);
        assertThat(back).hasSize(2);
        assertThat(back.get(0).cell()).isEqualTo("c1");
        assertThat(back.get(0).metrics()).isEqualTo(a.metrics());
        assertThat(back.get(0).kv()).isEqualTo(a.kv());
        assertThat(back.get(0).taskParams()).isEqualTo(a.taskParams());
        assertThat(back.get(1).budget()).isNull();
        assertThat(ResultsFile.toJson(a)).contains("\"task_params\":").contains("\"peak_entries\":32").doesNotContain("\"ratio\":null");
    }

    @Test
    void aLineCutShortByAnInterruptionIsDroppedAndRepaired() throws IOException {
        Path f = dir.resolve("r.jsonl");
        ResultsFile.append(f, result("c1", "window:budget=32", 32, 0.9));
        String cut = ResultsFile.toJson(result("c2", "h2o:budget=32", 32, 0.8));
        Files.writeString(f, cut.substring(0, cut.length() / 2), java.nio.file.StandardOpenOption.APPEND);
        assertThat(ResultsFile.read(f)).extracting(CellResult::cell).containsExactly("c1");
        assertThat(ResultsFile.repairTail(f)).isTrue();
        assertThat(ResultsFile.repairTail(f)).isFalse();
        ResultsFile.append(f, result("c3", "h2o:budget=64", 64, 0.8));
        assertThat(ResultsFile.read(f)).extracting(CellResult::cell).containsExactly("c1", "c3");
    }

    @Test
    void aBadLineElsewhereIsAnErrorNamingIt() throws IOException {
        Path f = dir.resolve("r.jsonl");
        ResultsFile.append(f, result("c1", "window:budget=32", 32, 0.9));
        Files.writeString(f, "{oops\n", java.nio.file.StandardOpenOption.APPEND);
        ResultsFile.append(f, result("c2", "window:budget=64", 64, 0.9));
        assertThatThrownBy(() -> ResultsFile.read(f)).isInstanceOf(EvalException.class)
                .hasMessageStartingWith(f + ":2: not a Winnow result record");
        Path g = dir.resolve("g.jsonl");
        Files.writeString(g, "{\"a\": 1}\n");
        assertThatThrownBy(() -> ResultsFile.read(g)).hasMessageContaining(":1: not a Winnow result record");
    }
}
