package dev.winnow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.winnow.generate.Session;
import dev.winnow.model.Model;
import dev.winnow.tensor.CpuInfo;
import dev.winnow.tensor.Parallel;
import dev.winnow.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code winnow bench}: prompt processing and generation speed like llama-bench. Each
 * repetition uses fresh sessions: {@code ppP} prefills P random tokens (fixed seed) into an
 * empty cache; {@code tgN} runs N single-token decodes into an empty cache (the first token
 * fed is BOS, or a random one when the model adds no BOS), exactly llama-bench's tests.
 */
@Command(name = "bench", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Measure prompt and generation speed like llama-bench.",
                "ppP: P random tokens (fixed seed) prefilled into an empty cache; tgN: N single-token decodes into an "
                        + "empty cache, the first fed token BOS. Every repetition uses fresh sessions.",
                "Prints a markdown table (t/s: median ± standard deviation over the repetitions), the peak RSS and "
                        + "the weight bandwidth achieved by decoding. Progress goes to stderr."})
final class BenchCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    LoadOptions loading;

    static final long TOKEN_SEED = 1234;

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model file.")
    Path model;

    @Option(names = {"-p", "--n-prompt"}, paramLabel = "N", defaultValue = "512",
            description = "Prompt tokens for the pp test; 0 = skip (default: ${DEFAULT-VALUE}).")
    int nPrompt;

    @Option(names = {"-n", "--n-gen"}, paramLabel = "N", defaultValue = "128",
            description = "Tokens for the tg test; 0 = skip (default: ${DEFAULT-VALUE}).")
    int nGen;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads (default: available processors).")
    Integer threads;

    @Option(names = {"-r", "--repetitions"}, paramLabel = "N", defaultValue = "3",
            description = "Measured runs of each test (default: ${DEFAULT-VALUE}).")
    int repetitions;

    @Option(names = {"-b", "--batch"}, paramLabel = "N", defaultValue = "" + Session.DEFAULT_BATCH,
            description = "Prompt tokens per forward pass in the pp test (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = {"-d", "--depth"}, paramLabel = "N,N,…", split = ",", defaultValue = "0",
            description = "Context depths: before each test, N random tokens are prefilled (in batches of -b, not "
                    + "timed), so the test measures speed with N entries in the cache; like llama-bench -d "
                    + "(default: ${DEFAULT-VALUE}).")
    List<Integer> depths;

    @Option(names = "--parallel", paramLabel = "N,N,…", split = ",", defaultValue = "1",
            description = "Sequences decoding together in the tg test: N > 1 runs N sequences through the continuous-"
                    + "batching engine (one forward pass per step for all of them, greedy) and reports the aggregate "
                    + "t/s (default: ${DEFAULT-VALUE}).")
    List<Integer> sequences;

    @Option(names = "--kv", paramLabel = "SPEC", defaultValue = dev.winnow.kv.policy.KvSpec.DEFAULT_TEXT,
            description = "KV cache compression during the runs ('winnow kv list') (default: ${DEFAULT-VALUE}: every entry kept in half precision, as llama.cpp's default "
                    + "cache; 'full' keeps f32, twice the bytes).")
    String kv;

    @Option(names = "--speculate", paramLabel = "SPEC",
            description = "Instead of pp/tg: greedy generation of -n tokens from " + "4 built-in prompts, plain and with "
                    + "speculative decoding by SPEC (repeatable: lookup:n=3,k=8, recycling:k=8,tree=default), interleaved; "
                    + "prints acceptance rate, accepted tokens per step, t/s of both and the gain. With -d N, each prompt "
                    + "follows N random tokens (the first -d depth): speculation at that depth.")
    List<String> speculate = new ArrayList<>();

    @Option(names = "--verify-cost", paramLabel = "K,K,…", split = ",",
            description = "Instead of pp/tg: time one verification pass of K draft rows (+ the root) against one "
                    + "decoding step, at the first -d depth.")
    List<Integer> verifyCost = new ArrayList<>();

    /** The deepest cache the decoding warm-up uses. */
    static final int WARMUP_DEPTH = 2048;

    @Option(names = "--no-warmup", description = "Skip the warm-up run (one run of each test, not counted; decoding "
            + "warms up at the deepest -d, at most 2048).")
    boolean noWarmup;

    @Option(names = "--schema", paramLabel = "FILE",
            description = "Instead of pp/tg: the cost of JSON-schema constrained decoding, per schema file (repeatable): "
                    + "compile time, then per token the grammar's mask + advance (cold: fresh grammar, warm: memoized) "
                    + "against the model's forward pass, timed side by side in constrained generations of -n tokens, "
                    + "-r repetitions.")
    List<Path> schemas = new ArrayList<>();

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    /** One test's measured runs; {@code kvBytes}: bytes the cache held at the end of the last run. */
    /**
     * One test's runs; {@code readPerHeadStep} is the mean entries a head's attention read per
     * decoding step and {@code fractionRead} their share of the entries held (below 1 with sparse
     * attention; 1 with full attention; 0 for a prompt test).
     */
    record Result(String test, int nPrompt, int nGen, int depth, double[] tokensPerSecond, long kvBytes, long kvEntries,
                  double readPerHeadStep, double fractionRead, int parallel) {
        double median() {
            double[] s = tokensPerSecond.clone();
            Arrays.sort(s);
            int n = s.length;
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }

        double mean() {
            return Arrays.stream(tokensPerSecond).average().orElse(0);
        }

        /** Sample standard deviation (0 for one run), as llama-bench. */
        double stddev() {
            int n = tokensPerSecond.length;
            if (n < 2) return 0;
            double m = mean(), ss = 0;
            for (double v : tokensPerSecond) ss += (v - m) * (v - m);
            return Math.sqrt(ss / (n - 1));
        }

        double min() {
            return Arrays.stream(tokensPerSecond).min().orElse(0);
        }

        double max() {
            return Arrays.stream(tokensPerSecond).max().orElse(0);
        }
    }

    private dev.winnow.kv.policy.KvSpec kvSpec;

    @Override
    public Integer call() throws IOException {
        if (nPrompt < 0) throw new ParameterException(spec.commandLine(), "-p must be >= 0, got " + nPrompt);
        if (nGen < 0) throw new ParameterException(spec.commandLine(), "-n must be >= 0, got " + nGen);
        if (nPrompt == 0 && nGen == 0) throw new ParameterException(spec.commandLine(), "nothing to run: -p and -n are both 0");
        if (repetitions < 1) throw new ParameterException(spec.commandLine(), "-r must be >= 1, got " + repetitions);
        if (batch < 1) throw new ParameterException(spec.commandLine(), "-b must be >= 1, got " + batch);
        for (int d : depths) if (d < 0) throw new ParameterException(spec.commandLine(), "-d must be >= 0, got " + d);
        for (int p : sequences) {
            if (p < 1 || p > 256) throw new ParameterException(spec.commandLine(), "--parallel must be in [1, 256], got " + p);
        }
        kvSpec = dev.winnow.kv.policy.KvSpec.parse(kv);
        if (!speculate.isEmpty() || !verifyCost.isEmpty()) return speculative();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // the longest sequence a test builds: a batch beyond it would only allocate activations for nothing
        int longest = depths.stream().mapToInt(Integer::intValue).max().orElse(0) + Math.max(nPrompt, nGen) + 1;
        batch = RunLimits.batch(batch, spec.commandLine().getParseResult().hasMatchedOption("--batch"), longest, err);
        Parallel parallel = Threads.pool(threads, spec.commandLine().getErr());
        long loadStart = System.nanoTime();
        try (parallel; Model m = loading.load(model, parallel, spec.commandLine().getErr())) {
            Startup startup = startup(m, loadStart);
            err.println(Format.f("bench: %s (%s, %s parameters, %s), %d threads, KV %s", model.getFileName(),
                    Models.typeSummary(m.file()), Format.count(Models.parameterCount(m.file())),
                    Format.bytes(Models.tensorBytes(m.file())), parallel.threads(), kvSpec));
            err.println("CPU: " + CpuInfo.model() + ", " + CpuInfo.vectorSummary());
            err.flush();
            if (!schemas.isEmpty()) return schemaBench(m, out, err);
            if (!noWarmup) {
                err.print("warm-up …");
                err.flush();
                long t0 = System.nanoTime();
                if (nPrompt > 0) prompt(m, 0);
                // Decoding warms up on a cache as deep as the deepest test, up to WARMUP_DEPTH, so
                // that code which only runs on a deep cache (sparse selection) is compiled too.
                int warmDepth = Math.min(WARMUP_DEPTH, depths.stream().mapToInt(Integer::intValue).max().orElse(0));
                if (nGen > 0) generation(m, Math.min(nGen, 32), warmDepth);
                for (int p : sequences) {
                    if (nGen > 0 && p > 1) ParallelDecode.run(m, kvSpec, p, Math.min(nGen, 32), warmDepth, batch, TOKEN_SEED);
                }
                err.println(Format.f(" %.1f s", (System.nanoTime() - t0) / 1e9));
            }
            List<Result> results = new ArrayList<>();
            for (int d : depths) {
                String at = d > 0 ? " @ d" + d : "";
                if (nPrompt > 0) results.add(run(m, "pp" + nPrompt + at, nPrompt, 0, d, 1, err));
                for (int p : sequences) {
                    if (nGen > 0) results.add(run(m, "tg" + nGen + (p > 1 ? " x" + p : "") + at, 0, nGen, d, p, err));
                }
            }
            OptionalLong rss = peakRss();
            long weightBytes = m.weights().bytesPerToken();
            Result lastTg = results.stream().filter(r -> r.nGen() > 0).reduce((a, b) -> b).orElse(null);
            // Bytes read per decoded token: every weight matrix once and the KV entries the attention read.
            // With --parallel P, one pass reads the weights once for P tokens (and each sequence's own cache).
            Double bandwidth = lastTg != null ? (weightBytes + lastTg.kvBytes() * lastTg.fractionRead())
                    * lastTg.median() / lastTg.parallel() / 1e9 : null;
            if (json) {
                printJson(out, m, parallel.threads(), results, rss, weightBytes, bandwidth, startup);
            } else {
                printTable(out, m, parallel.threads(), results, rss, weightBytes, bandwidth, startup);
            }
        }
        out.flush();
        return 0;
    }

    private int schemaBench(Model m, PrintWriter out, PrintWriter err) {
        if (nGen < 1) throw new ParameterException(spec.commandLine(), "--schema needs -n >= 1 tokens");
        if (json) throw new ParameterException(spec.commandLine(), "--json is not available with --schema (a markdown table is printed)");
        for (Path p : schemas) GrammarBench.read(p); // bad files fail before any model work
        GrammarBench b = new GrammarBench(m, kvSpec, nGen, repetitions, err);
        double vocabMs = b.vocabularyMs();
        if (!noWarmup) generation(m, Math.min(nGen, 32), 0);
        GrammarBench.printTable(out, model.getFileName().toString(), vocabMs, m.tokenizer().vocabSize(),
                GrammarBench.runAll(b, schemas));
        out.flush();
        return 0;
    }

    /** The --speculate and --verify-cost tests. */
    private int speculative() throws IOException {
        List<dev.winnow.generate.speculative.SpeculateSpec> specs = new ArrayList<>();
        for (String s : speculate) specs.add(dev.winnow.generate.speculative.SpeculateSpec.parse(s));
        for (int k : verifyCost) {
            if (k < 1) throw new ParameterException(spec.commandLine(), "--verify-cost must be >= 1, got " + k);
        }
        if (nGen < 1 && !specs.isEmpty()) throw new ParameterException(spec.commandLine(), "--speculate needs -n >= 1");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Parallel parallel = Threads.pool(threads, err);
        try (parallel; Model m = loading.load(model, parallel, spec.commandLine().getErr())) {
            err.println(Format.f("bench: %s (%s), %d threads, KV %s", model.getFileName(), Models.typeSummary(m.file()),
                    parallel.threads(), kvSpec));
            err.flush();
            SpeculateBench bench = new SpeculateBench(m, kvSpec, batch, err);
            List<SpeculateBench.Row> rows = new ArrayList<>();
            for (var s : specs) rows.add(bench.speculative(s, nGen, depths.get(0), repetitions, !noWarmup));
            List<SpeculateBench.Cost> costs = new ArrayList<>();
            for (int k : verifyCost) costs.add(bench.verifyCost(k, depths.get(0), Math.max(5, repetitions)));
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(SpeculateBench.json(rows, costs)));
            } else {
                SpeculateBench.printTable(out, rows, costs, nGen, repetitions);
                out.println("CPU: " + CpuInfo.model() + ", " + CpuInfo.vectorSummary() + ", " + parallel.threads() + " threads");
            }
        }
        out.flush();
        return 0;
    }

    /**
     * Start-up, cold (before any warm-up): {@code loadMs} to map the file and build the model,
     * {@code firstTokenMs} from the start of loading to the logits of a one-token prompt, and
     * {@code processMs} from the JVM's start to those logits (what a user waits for).
     */
    record Startup(double loadMs, double firstTokenMs, double processMs) {
    }

    private Startup startup(Model m, long loadStart) {
        long loaded = System.nanoTime();
        Session s = new Session(m, 16, batch, kvSpec.newPolicy());
        int bos = m.tokenizer().bosId();
        s.prefill(new int[] {bos >= 0 ? bos : 0});
        long first = System.nanoTime();
        double sinceJvm = System.currentTimeMillis() - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        return new Startup((loaded - loadStart) / 1e6, (first - loadStart) / 1e6, sinceJvm);
    }

    private Result run(Model m, String name, int p, int n, int depth, int par, PrintWriter err) {
        if (par > 1) return runParallel(m, name, n, depth, par, err);
        double[] tps = new double[repetitions];
        Session last = null;
        for (int r = 0; r < repetitions; r++) {
            Session s = session(m, depth, p + n);
            tps[r] = p > 0 ? prompt(s, m) : generation(s, m, n);
            last = s;
            err.println(Format.f("%s run %d/%d: %.2f t/s", name, r + 1, repetitions, tps[r]));
            err.flush();
        }
        dev.winnow.kv.KvStats st = last.cache().stats();
        return new Result(name, p, n, depth, tps, st.bytesUsed(), st.totalEntries(), st.reads().meanRead(),
                st.reads().fractionRead(), 1);
    }

    /** The tg test with {@code par} sequences decoding together; t/s is the aggregate, KV the sum over the sequences. */
    private Result runParallel(Model m, String name, int n, int depth, int par, PrintWriter err) {
        double[] tps = new double[repetitions];
        ParallelDecode.Run last = null;
        for (int r = 0; r < repetitions; r++) {
            last = ParallelDecode.run(m, kvSpec, par, n, depth, batch, TOKEN_SEED + 2);
            tps[r] = last.tokensPerSecond();
            err.println(Format.f("%s run %d/%d: %.2f t/s", name, r + 1, repetitions, tps[r]));
            err.flush();
        }
        long bytes = 0, entries = 0;
        double read = 0, fraction = 0;
        for (dev.winnow.kv.KvStats st : last.caches()) {
            bytes += st.bytesUsed();
            entries += st.totalEntries();
            read += st.reads().meanRead() / par;
            fraction += st.reads().fractionRead() / par;
        }
        return new Result(name, 0, n, depth, tps, bytes, entries, read, fraction, par);
    }

    /**
     * A fresh session with the --kv policy, holding {@code depth} random tokens (BOS first when the
     * model adds one), prefilled in batches of -b (not timed).
     */
    private Session session(Model m, int depth, int more) {
        Session s = new Session(m, depth + more + 1, batch, kvSpec.newPolicy());
        s.reserve(depth + more + 1);
        if (depth > 0) {
            int[] ctx = randomTokens(m, depth, TOKEN_SEED + 2);
            Tokenizer tok = m.tokenizer();
            if (tok.addBosByDefault() && tok.bosId() >= 0) ctx[0] = tok.bosId();
            s.prefill(ctx);
        }
        return s;
    }

    private static int[] randomTokens(Model m, int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) tokens[i] = rnd.nextInt(m.config().vocabSize());
        return tokens;
    }

    private double prompt(Model m, int depth) {
        return prompt(session(m, depth, nPrompt), m);
    }

    /** Prefills {@link #nPrompt} random tokens (fixed seed); tokens/s. */
    private double prompt(Session s, Model m) {
        int[] tokens = randomTokens(m, nPrompt, TOKEN_SEED);
        long t0 = System.nanoTime();
        s.prefill(tokens);
        long t1 = System.nanoTime();
        return nPrompt * 1e9 / (t1 - t0);
    }

    private double generation(Model m, int n, int depth) {
        return generation(session(m, depth, n), m, n);
    }

    /** {@code n} single-token decodes (first token BOS into an empty cache, then random tokens); tokens/s. */
    private static double generation(Session s, Model m, int n) {
        int vocab = m.config().vocabSize();
        Tokenizer tok = m.tokenizer();
        SplittableRandom rnd = new SplittableRandom(TOKEN_SEED + 1);
        int token = s.position() == 0 && tok.addBosByDefault() && tok.bosId() >= 0 ? tok.bosId() : rnd.nextInt(vocab);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            s.decode(token);
            token = rnd.nextInt(vocab);
        }
        long t1 = System.nanoTime();
        return n * 1e9 / (t1 - t0);
    }

    /** The process's peak resident set size (VmHWM), where /proc/self/status exists. */
    static OptionalLong peakRss() {
        Path status = Path.of("/proc/self/status");
        try {
            if (!Files.isReadable(status)) return OptionalLong.empty();
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    long v = Long.parseLong(parts[0]);
                    return OptionalLong.of(parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? v * 1024 : v);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux or an unexpected format: report n/a
        }
        return OptionalLong.empty();
    }

    private void printTable(PrintWriter out, Model m, int nThreads, List<Result> results, OptionalLong rss,
                            long weightBytes, Double bandwidth, Startup startup) {
        Format.Table t = new Format.Table(true, new boolean[] {false, true, true, false, true, true, true, true},
                "model", "size", "params", "type", "threads", "test", "t/s", "min–max");
        String file = m.path().getFileName().toString();
        String size = Format.bytes(Models.tensorBytes(m.file()));
        String params = Format.count(Models.parameterCount(m.file()));
        String types = Models.typeSummary(m.file());
        for (Result r : results) {
            t.row(file, size, params, types, String.valueOf(nThreads), r.test(),
                    Format.f("%.2f ± %.2f", r.median(), r.stddev()), Format.f("%.2f–%.2f", r.min(), r.max()));
        }
        out.print(t.render());
        out.println();
        out.println(Format.f("t/s: median ± standard deviation of %d run%s%s", repetitions, repetitions == 1 ? "" : "s",
                noWarmup ? " (no warm-up)" : " after one warm-up run"));
        out.println("CPU: " + CpuInfo.model() + ", " + CpuInfo.vectorSummary() + ", " + nThreads + " threads; weights "
                + (m.repacked() ? "repacked at load (--repack)" : "as mapped"));
        out.println("peak RSS: " + (rss.isPresent() ? Format.bytes(rss.getAsLong()) + " (VmHWM)" : "n/a (no /proc/self/status)"));
        out.println(Format.f("start-up (cold): load %.0f ms, load + first token %.0f ms, JVM start to first token %.0f ms",
                startup.loadMs(), startup.firstTokenMs(), startup.processMs()));
        Result lastTg = results.stream().filter(r -> r.nGen() > 0).reduce((a, b) -> b).orElse(null);
        if (bandwidth != null) {
            out.println(Format.f("decode bandwidth (%s): %.2f GB/s ((%s of weights + %s of KV cache) read per token × %.2f t/s)",
                    lastTg.test(), bandwidth, Format.bytes(weightBytes),
                    Format.bytes((long) (lastTg.kvBytes() * lastTg.fractionRead())), lastTg.median()));
            if (lastTg.fractionRead() > 0 && lastTg.fractionRead() < 1) {
                out.println(Format.f("sparse attention (%s): read %.1f entries per head and step, %.1f%% of those held",
                        lastTg.test(), lastTg.readPerHeadStep(), 100 * lastTg.fractionRead()));
            }
        }
        if (!kvSpec.isFull()) out.println("KV cache: " + kvSpec);
    }

    private void printJson(PrintWriter out, Model m, int nThreads, List<Result> results, OptionalLong rss,
                           long weightBytes, Double bandwidth, Startup startup) throws IOException {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("model", m.path().toString());
        j.put("model_filename", m.path().getFileName().toString());
        j.put("architecture", m.config().architecture().ggufName());
        j.put("model_size", Models.tensorBytes(m.file()));
        j.put("model_n_params", Models.parameterCount(m.file()));
        j.put("model_type", Models.typeSummary(m.file()));
        j.put("cpu_info", CpuInfo.model());
        j.put("vector_bits", CpuInfo.vectorBits());
        j.put("repacked", m.repacked());
        j.put("n_threads", nThreads);
        j.put("n_batch", batch);
        j.put("repetitions", repetitions);
        j.put("warmup", !noWarmup);
        List<Map<String, Object>> rs = new ArrayList<>();
        for (Result r : results) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("test", r.test());
            x.put("n_prompt", r.nPrompt());
            x.put("n_gen", r.nGen());
            x.put("n_depth", r.depth());
            x.put("n_parallel", r.parallel());
            x.put("kv_bytes", r.kvBytes());
            x.put("kv_entries", r.kvEntries());
            x.put("kv_read_per_head_step", r.readPerHeadStep());
            x.put("kv_fraction_read", r.fractionRead());
            x.put("samples_ts", r.tokensPerSecond());
            x.put("median_ts", r.median());
            x.put("avg_ts", r.mean());
            x.put("stddev_ts", r.stddev());
            x.put("min_ts", r.min());
            x.put("max_ts", r.max());
            rs.add(x);
        }
        j.put("results", rs);
        j.put("peak_rss_bytes", rss.isPresent() ? rss.getAsLong() : null);
        j.put("weight_bytes_per_token", weightBytes);
        j.put("decode_bandwidth_gbs", bandwidth);
        j.put("load_ms", startup.loadMs());
        j.put("load_first_token_ms", startup.firstTokenMs());
        j.put("process_first_token_ms", startup.processMs());
        j.put("kv", kvSpec.toString());
        j.put("java_version", System.getProperty("java.version"));
        j.put("winnow_version", VersionProvider.version());
        out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(j));
    }
}
