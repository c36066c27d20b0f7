package dev.winnow.cli;

import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Session;
import dev.winnow.generate.speculative.SpeculateSpec;
import dev.winnow.generate.speculative.SpeculationStats;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.ForwardState;
import dev.winnow.model.Model;
import dev.winnow.model.SequenceBatch;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code winnow bench --speculate SPEC}: greedy generation of N tokens from several prompts,
 * plain and with each drafter, interleaved run by run (A/B) so that load on the machine hits both
 * alike; reports the acceptance rate, draft tokens accepted per verification step, decoding t/s
 * of both and the gain, and checks that the outputs are identical. {@code --verify-cost K,…}
 * times one verification pass of K draft rows (plus the root) against one decoding step.
 */
final class SpeculateBench {
    /** The prompts the speculative test generates from (stories-style English). */
    static final List<String> PROMPTS = List.of("Once upon a time", "One day, a little girl named Lily went to the park.",
            "Tom had a big red ball. He", "The sun was shining and the birds were singing.");

    record Row(String drafter, double plainTps, double specTps, double acceptance, double meanAccepted, long steps,
               boolean identical) {
        double gain() {
            return specTps / plainTps;
        }
    }

    record Cost(int k, double decodeMs, double verifyMs) {
        double ratio() {
            return verifyMs / decodeMs;
        }
    }

    private final Model model;
    private final KvSpec kv;
    private final int batch;
    private final PrintWriter err;

    SpeculateBench(Model model, KvSpec kv, int batch, PrintWriter err) {
        this.model = model;
        this.kv = kv;
        this.batch = batch;
        this.err = err;
    }

    /** Greedy generation of {@code n} tokens per prompt, plain and with {@code spec}, {@code reps} interleaved times (the first not counted when {@code warmup}). */
    Row speculative(SpeculateSpec spec, int n, int depth, int reps, boolean warmup) {
        GenerationParams params = GenerationParams.builder().temperature(0).maxTokens(n).ignoreEos(true).build();
        long plainNs = 0, specNs = 0, tokens = 0, steps = 0, drafted = 0, accepted = 0;
        boolean identical = true;
        int[] before = depthTokens(depth);
        for (int r = warmup ? -1 : 0; r < reps; r++) {
            for (String prompt : PROMPTS) {
                int[] ids = concat(before, model.tokenizer().encode(prompt, depth == 0 && model.tokenizer().addBosByDefault(), false));
                int ctx = Math.min(model.config().contextLength(), ids.length + n + 1);
                Session plain = new Session(model, ctx, batch, kv.newPolicy());
                Generation a = plain.generate(ids, params, t -> { });
                Session fast = new Session(model, ctx, batch, kv.newPolicy());
                fast.speculate(spec);
                Generation b = fast.generate(ids, params, t -> { });
                if (r < 0) continue;
                identical &= Arrays.equals(a.tokens(), b.tokens());
                plainNs += a.decodeNanos();
                specNs += b.decodeNanos();
                tokens += a.tokens().length;
                SpeculationStats st = fast.speculationStats();
                steps += st.steps();
                drafted += st.drafted();
                accepted += st.accepted();
            }
            if (r >= 0) {
                err.println(Format.f("speculate %s run %d/%d done", spec, r + 1, reps));
                err.flush();
            }
        }
        return new Row(spec.toString(), tokens * 1e9 / plainNs, tokens * 1e9 / specNs,
                drafted == 0 ? 0 : (double) accepted / drafted, steps == 0 ? 0 : (double) accepted / steps, steps, identical);
    }

    /** {@code depth} random tokens (BOS first when the model adds one) that every prompt follows: decoding at that depth. */
    private int[] depthTokens(int depth) {
        if (depth == 0) return new int[0];
        SplittableRandom rnd = new SplittableRandom(BenchCommand.TOKEN_SEED + 3);
        int[] t = new int[depth];
        for (int i = 0; i < depth; i++) t[i] = rnd.nextInt(model.config().vocabSize());
        int bos = model.tokenizer().bosId();
        if (bos >= 0 && model.tokenizer().addBosByDefault()) t[0] = bos;
        return t;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Milliseconds of one verification pass of {@code k} chain draft rows plus the root, against
     * one decoding step, at {@code depth} cache entries: the median of {@code iterations} passes,
     * each rolled back, the two measured alternately.
     */
    Cost verifyCost(int k, int depth, int iterations) {
        if (k + 1 > batch) throw new CliException("--verify-cost " + k + ": needs -b of at least " + (k + 1));
        int vocab = model.config().vocabSize();
        Session s = new Session(model, depth + k + 2, batch, kv.newPolicy());
        s.reserve(depth + k + 2);
        SplittableRandom rnd = new SplittableRandom(BenchCommand.TOKEN_SEED);
        int[] ctx = new int[Math.max(1, depth)];
        for (int i = 0; i < ctx.length; i++) ctx[i] = rnd.nextInt(vocab);
        s.prefill(ctx);
        KvCache cache = s.cache();
        ForwardState state = new ForwardState(model.config(), batch);
        SequenceBatch pass = new SequenceBatch(batch);
        int[] tokens = new int[k + 1], positions = new int[k + 1];
        for (int i = 0; i <= k; i++) {
            tokens[i] = rnd.nextInt(vocab);
            positions[i] = ctx.length + i;
        }
        double[] one = new double[iterations], many = new double[iterations];
        for (int it = -2; it < iterations; it++) { // two warm-up rounds
            double a = timePass(cache, state, pass, tokens, positions, 1);
            double b = timePass(cache, state, pass, tokens, positions, k + 1);
            if (it >= 0) {
                one[it] = a;
                many[it] = b;
            }
        }
        return new Cost(k, median(one), median(many));
    }

    private double timePass(KvCache cache, ForwardState state, SequenceBatch pass, int[] tokens, int[] positions, int rows) {
        KvCache.Checkpoint cp = cache.checkpoint();
        pass.clear();
        pass.addDraft(cache, tokens, rows, positions, null);
        long t0 = System.nanoTime();
        model.transformer().forward(pass, state);
        long t1 = System.nanoTime();
        cache.rollback(cp, new int[0], 0);
        return (t1 - t0) / 1e6;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static void printTable(PrintWriter out, List<Row> rows, List<Cost> costs, int n, int reps) {
        if (!rows.isEmpty()) {
            Format.Table t = new Format.Table(true, new boolean[] {false, true, true, true, true, true, true, false},
                    "drafter", "plain t/s", "spec t/s", "gain", "accepted/step", "acceptance", "steps", "same output");
            for (Row r : rows) {
                t.row(r.drafter(), Format.f("%.2f", r.plainTps()), Format.f("%.2f", r.specTps()), Format.f("%.2fx", r.gain()),
                        Format.f("%.2f", r.meanAccepted()), Format.f("%.1f%%", 100 * r.acceptance()), String.valueOf(r.steps()),
                        r.identical() ? "yes" : "NO");
            }
            out.print(t.render());
            out.println();
            out.println(Format.f("greedy, %d tokens from each of %d prompts, %d run%s each, plain and speculative interleaved; "
                    + "tokens per step = 1 + accepted/step", n, PROMPTS.size(), reps, reps == 1 ? "" : "s"));
        }
        if (!costs.isEmpty()) {
            if (!rows.isEmpty()) out.println();
            Format.Table t = new Format.Table(true, new boolean[] {true, true, true, true}, "draft rows k", "decode ms",
                    "verify k+1 rows ms", "ratio");
            for (Cost c : costs) {
                t.row(String.valueOf(c.k()), Format.f("%.2f", c.decodeMs()), Format.f("%.2f", c.verifyMs()),
                        Format.f("%.2fx", c.ratio()));
            }
            out.print(t.render());
            out.println();
            out.println("one verification pass (root + k chain rows, logits for every row) vs one decoding step, median");
        }
    }

    static Map<String, Object> json(List<Row> rows, List<Cost> costs) {
        Map<String, Object> j = new LinkedHashMap<>();
        List<Map<String, Object>> rs = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("drafter", r.drafter());
            x.put("plain_ts", r.plainTps());
            x.put("speculative_ts", r.specTps());
            x.put("gain", r.gain());
            x.put("accepted_per_step", r.meanAccepted());
            x.put("acceptance_rate", r.acceptance());
            x.put("steps", r.steps());
            x.put("identical_output", r.identical());
            rs.add(x);
        }
        j.put("speculative", rs);
        List<Map<String, Object>> cs = new ArrayList<>();
        for (Cost c : costs) cs.add(Map.of("k", c.k(), "decode_ms", c.decodeMs(), "verify_ms", c.verifyMs(), "ratio", c.ratio()));
        j.put("verify_cost", cs);
        return j;
    }
}
