package dev.winnow.eval.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.winnow.eval.WinnowVersion;
import dev.winnow.eval.task.Cancelled;
import dev.winnow.eval.task.Measurements;
import dev.winnow.eval.task.Runner;
import dev.winnow.eval.task.Task;
import dev.winnow.eval.task.TaskResult;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a {@link SweepConfig} on a loaded model: resumes from the results file, computes the missing cells. */
public final class Sweeper {
    private Sweeper() {
    }

    public static SweepResult run(Model model, SweepConfig config) {
        Task task = config.task();
        SweepListener listener = config.listener();
        List<Cell> cells = config.cells();
        CellResult.ModelInfo info = ModelFingerprint.of(model);
        String paramsJson = json(task.params());
        Map<String, CellResult> previous = new HashMap<>();
        if (config.results() != null) {
            if (ResultsFile.repairTail(config.results())) {
                listener.message(config.results() + ": removed a last line cut short by an interruption");
            }
            for (CellResult r : ResultsFile.read(config.results())) previous.putIfAbsent(r.cell(), r);
        }
        List<String> ids = new ArrayList<>();
        int done = 0;
        for (Cell c : cells) {
            String id = cellId(info.sha256(), task.name(), paramsJson, c.spec(), config.seed(), config.batch());
            ids.add(id);
            if (previous.containsKey(id)) done++;
        }
        listener.started(cells.size(), done);
        int threads = model.transformer().parallel().threads();
        List<CellResult> results = new ArrayList<>();
        Task.Prepared prepared = null;
        int computed = 0, skipped = 0;
        boolean complete = true;
        for (int i = 0; i < cells.size(); i++) {
            Cell cell = cells.get(i);
            CellResult prev = previous.get(ids.get(i));
            if (prev != null) {
                results.add(prev);
                skipped++;
                listener.skipped(cell, prev);
                continue;
            }
            if ((config.maxCells() > 0 && computed >= config.maxCells()) || config.cancelled().getAsBoolean()) {
                complete = false;
                break;
            }
            if (prepared == null) {
                listener.message("preparing " + task.name() + " on " + info.file() + " …");
                prepared = task.prepare(model, config.seed());
                warmUp(model, config.batch());
            }
            listener.cellStarted(cell);
            Runner runner = new Runner(model, KvSpec.parse(cell.spec()), config.batch(), config.cancelled(),
                    f -> listener.progress(cell, f));
            long t0 = System.nanoTime();
            TaskResult tr;
            try {
                tr = prepared.run(runner);
            } catch (Cancelled e) {
                complete = false;
                break;
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            CellResult r = record(info, task, cell, ids.get(i), config, threads, tr, runner.measurements(), wall);
            if (config.results() != null) ResultsFile.append(config.results(), r);
            results.add(r);
            computed++;
            listener.cellFinished(cell, r);
        }
        return new SweepResult(List.copyOf(results), computed, skipped, complete && results.size() == cells.size());
    }

    /**
     * Runs the model briefly (not measured) so that the first cell's speeds are not those of
     * code the JIT has not compiled yet: a prompt of one batch and 32 decoded tokens.
     */
    static void warmUp(Model model, int batch) {
        int vocab = model.config().vocabSize();
        int n = Math.min(batch, Math.max(1, model.config().contextLength() - 33));
        int[] prompt = new int[n];
        for (int i = 0; i < n; i++) prompt[i] = (i * 31 + 7) % vocab;
        dev.winnow.generate.Session s = new dev.winnow.generate.Session(model, n + 33, Math.min(batch, n + 33));
        s.prefill(prompt);
        for (int i = 0; i < 32 && s.position() < n + 32; i++) s.decode((i * 17 + 3) % vocab);
    }

    static CellResult record(CellResult.ModelInfo info, Task task, Cell cell, String id, SweepConfig config, int threads,
                             TaskResult tr, Measurements m, double wall) {
        Map<String, Double> byContext = new LinkedHashMap<>();
        m.decodeByContext().forEach((k, v) -> byContext.put(String.valueOf(k), round(v, 1)));
        CellResult.Kv kv = new CellResult.Kv(m.kvBytes(), m.kvBytesAllocated(), m.peakEntries(), round(m.entriesPerHead(), 3),
                round(m.compressionRatio(), 6), round(m.byteCompressionRatio(), 6));
        CellResult.Speed speed = new CellResult.Speed(round(m.prefillTokensPerSecond(), 1), round(m.decodeTokensPerSecond(), 1),
                m.prefillTokens(), m.decodeTokens(), round(wall, 3), byContext);
        return new CellResult(WinnowVersion.get(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), id, info,
                task.name(), task.params(), cell.spec(), cell.baseSpec(), cell.policy(), cell.budget(), cell.ratio(),
                config.seed(), config.batch(), threads, tr.metrics(), task.headline(), kv, speed, tr.details());
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    /** The identity of a cell: what it computes, not when or how fast. */
    static String cellId(String modelSha, String task, String paramsJson, String spec, long seed, int batch) {
        String key = modelSha + "\n" + task + "\n" + paramsJson + "\n" + spec + "\n" + seed + "\n" + batch;
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String json(Object o) {
        try {
            return ResultsFile.JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
