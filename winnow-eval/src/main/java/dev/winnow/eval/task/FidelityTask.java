package dev.winnow.eval.task;

import dev.winnow.eval.EvalException;
import dev.winnow.eval.metrics.Metrics;
import dev.winnow.generate.Session;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code fidelity}: how far a compressed cache moves the model's predictions from the full
 * cache's. Teacher-forced over a text: the first {@code prefix} tokens are prefilled, then the
 * next {@code tokens} tokens are fed one at a time through the decode path (so the policy acts as
 * it would while generating); at each step the spec's next-token distribution is compared with
 * the full cache's: KL(full ‖ spec) (mean, p95, max), top-1 agreement, perplexity of the text
 * and its difference from the full cache's. Then greedy free generation of {@code genTokens}
 * tokens from a prompt, and the first position where it departs from the full cache's.
 */
public final class FidelityTask implements Task {
    /**
     * @param text the text that is teacher-forced
     * @param prefix tokens of it prefilled at once (BOS included)
     * @param tokens tokens then decoded one at a time and scored
     * @param prompt the prompt of the free generation
     * @param genTokens tokens generated greedily from the prompt
     */
    public record Options(TextSource text, int prefix, int tokens, String prompt, int genTokens) {
        public Options {
            if (prefix < 1) throw new EvalException("fidelity: prefix must be >= 1 token, got " + prefix);
            if (tokens < 1) throw new EvalException("fidelity: tokens must be >= 1, got " + tokens);
            if (genTokens < 0) throw new EvalException("fidelity: gen tokens must be >= 0, got " + genTokens);
            if (genTokens > 0 && (prompt == null || prompt.isEmpty())) throw new EvalException("fidelity: empty prompt");
        }

        public static Options defaults() {
            return new Options(TextSource.sample(), 32, 480, "Once upon a time", 128);
        }
    }

    private final Options options;

    public FidelityTask(Options options) {
        this.options = options;
    }

    public Options options() {
        return options;
    }

    @Override
    public String name() {
        return "fidelity";
    }

    @Override
    public Map<String, Object> params() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("text", options.text().id());
        p.put("prefix", options.prefix());
        p.put("tokens", options.tokens());
        p.put("prompt", options.prompt());
        p.put("gen_tokens", options.genTokens());
        return p;
    }

    @Override
    public List<String> headline() {
        return List.of("top1", "kl_mean", "ppl_delta");
    }

    @Override
    public Prepared prepare(Model model, long seed) {
        int[] ids = model.tokenizer().encode(options.text().text());
        int need = options.prefix() + options.tokens();
        if (ids.length < need) {
            throw new EvalException("fidelity: the text " + options.text().name() + " has " + ids.length
                    + " tokens; prefix " + options.prefix() + " + tokens " + options.tokens() + " need " + need);
        }
        int ctx = model.config().contextLength();
        if (need > ctx) {
            throw new EvalException("fidelity: prefix " + options.prefix() + " + tokens " + options.tokens()
                    + " exceed the model's context " + ctx);
        }
        int[] text = Arrays.copyOf(ids, need);
        int[] prompt = options.genTokens() > 0 ? model.tokenizer().encode(options.prompt()) : new int[0];
        if (prompt.length + options.genTokens() > ctx) {
            throw new EvalException("fidelity: prompt (" + prompt.length + " tokens) + " + options.genTokens()
                    + " generated tokens exceed the model's context " + ctx);
        }
        Runner full = new Runner(model, KvSpec.FULL);
        Trace ref = trace(full, text, null);
        int[] refGen = generate(full, prompt);
        return new PreparedFidelity(text, prompt, ref, refGen);
    }

    /** The teacher-forced pass: per scored position, the logits (kept only for the reference) and the NLL. */
    private record Trace(float[][] logits, int[] argmax, double[] nll) {
    }

    /**
     * Teacher-forces {@code text} through a session of the runner; when {@code against} is
     * given, compares each step with it instead of keeping the logits.
     */
    private Trace trace(Runner runner, int[] text, PreparedFidelity.Compare against) {
        int prefix = options.prefix(), n = options.tokens();
        int vocab = runner.model().config().vocabSize();
        Session s = runner.newSession(prefix + n);
        float[] logits = runner.prefill(s, Arrays.copyOf(text, prefix));
        float[][] kept = against == null ? new float[n][] : null;
        int[] argmax = new int[n];
        double[] nll = new double[n];
        for (int i = 0; i < n; i++) {
            int target = text[prefix + i];
            double[] logp = Metrics.logSoftmax(logits, vocab);
            nll[i] = -logp[target];
            argmax[i] = Metrics.argmax(logits, vocab);
            if (against != null) against.step(i, logp);
            else kept[i] = logits;
            if (i + 1 < n) logits = runner.decode(s, target);
            if ((i & 31) == 0) runner.progress(0.9 * i / n);
        }
        runner.observe(s);
        return new Trace(kept, argmax, nll);
    }

    private int[] generate(Runner runner, int[] prompt) {
        if (options.genTokens() == 0) return new int[0];
        Session s = runner.newSession(prompt.length + options.genTokens());
        float[] logits = runner.prefill(s, prompt);
        return runner.greedy(s, logits, options.genTokens());
    }

    private final class PreparedFidelity implements Prepared {
        private final int[] text, prompt, refGen;
        private final Trace ref;

        PreparedFidelity(int[] text, int[] prompt, Trace ref, int[] refGen) {
            this.text = text;
            this.prompt = prompt;
            this.ref = ref;
            this.refGen = refGen;
        }

        /** Per-step comparison with the reference. */
        final class Compare {
            final double[] kl = new double[options.tokens()];
            final int vocab;

            Compare(int vocab) {
                this.vocab = vocab;
            }

            void step(int i, double[] logp) {
                kl[i] = Metrics.klDivergence(Metrics.logSoftmax(ref.logits()[i], vocab), logp);
            }
        }

        @Override
        public TaskResult run(Runner runner) {
            Compare cmp = new Compare(runner.model().config().vocabSize());
            Trace t = trace(runner, text, cmp);
            int[] gen = generate(runner, prompt);
            runner.progress(1);
            double ppl = Metrics.perplexity(t.nll()), pplFull = Metrics.perplexity(ref.nll());
            int div = Metrics.firstDivergence(gen, refGen);
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("kl_mean", Metrics.mean(cmp.kl));
            m.put("kl_p95", Metrics.percentile(cmp.kl, 95));
            m.put("kl_max", Arrays.stream(cmp.kl).max().orElse(0));
            m.put("top1", Metrics.top1Agreement(t.argmax(), ref.argmax()));
            m.put("ppl", ppl);
            m.put("ppl_full", pplFull);
            m.put("ppl_delta", ppl - pplFull);
            if (options.genTokens() > 0) {
                // identical generations never diverge: no first_divergence (null when read from the
                // JSON, "never" in reports), and gen_identical = 1
                if (div >= 0) m.put("first_divergence", (double) div);
                m.put("gen_identical", div < 0 ? 1.0 : 0.0);
            }
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("scored_tokens", options.tokens());
            // the start of both generations (enough to see where they part)
            d.put("generated", GenerationTask.abbreviate(runner.model().tokenizer().decode(gen), 160));
            d.put("generated_full", GenerationTask.abbreviate(runner.model().tokenizer().decode(refGen), 160));
            return new TaskResult(m, d);
        }
    }
}
