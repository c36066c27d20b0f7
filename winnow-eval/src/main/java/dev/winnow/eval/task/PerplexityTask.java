package dev.winnow.eval.task;

import dev.winnow.eval.EvalException;
import dev.winnow.eval.metrics.Metrics;
import dev.winnow.generate.Session;
import dev.winnow.model.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ppl}: perplexity over a long text, reported per segment, following StreamingLLM's
 * protocol: the text (BOS first) is fed one token at a time through the decode path (or in
 * chunks of {@code chunk} tokens, faster, with the policy acting between chunks), and each
 * token is scored given everything before it that the cache still holds. Specs whose context
 * is unbounded (StreamingLLM re-positioning) run the whole text, past the model's context;
 * the others stop at the context length, and the segments past it are not scored for them.
 */
public final class PerplexityTask implements Task {
    /**
     * @param text the text
     * @param maxTokens most tokens of it used (0: all)
     * @param segment tokens per reported segment
     * @param chunk tokens per forward pass (1: token by token, as StreamingLLM)
     * @param context the context length of bounded specs (0: the model's)
     */
    public record Options(TextSource text, int maxTokens, int segment, int chunk, int context) {
        public Options {
            if (maxTokens < 0) throw new EvalException("ppl: tokens must be >= 0 (0: the whole text), got " + maxTokens);
            if (segment < 1) throw new EvalException("ppl: segment must be >= 1, got " + segment);
            if (chunk < 1) throw new EvalException("ppl: chunk must be >= 1, got " + chunk);
            if (context < 0) throw new EvalException("ppl: context must be >= 0 (0: the model's), got " + context);
        }

        public static Options defaults() {
            return new Options(TextSource.sample(), 0, 256, 1, 0);
        }
    }

    private final Options options;

    public PerplexityTask(Options options) {
        this.options = options;
    }

    @Override
    public String name() {
        return "ppl";
    }

    @Override
    public Map<String, Object> params() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("text", options.text().id());
        p.put("tokens", options.maxTokens());
        p.put("segment", options.segment());
        p.put("chunk", options.chunk());
        p.put("context", options.context());
        return p;
    }

    @Override
    public List<String> headline() {
        return List.of("ppl_in_context", "ppl");
    }

    @Override
    public Prepared prepare(Model model, long seed) {
        int[] ids = model.tokenizer().encode(options.text().text());
        if (options.maxTokens() > 0) ids = Arrays.copyOf(ids, Math.min(ids.length, options.maxTokens()));
        if (ids.length < 2) throw new EvalException("ppl: the text " + options.text().name() + " has fewer than 2 tokens");
        int context = options.context() > 0 ? options.context() : model.config().contextLength();
        int[] text = ids;
        return runner -> run(runner, text, context);
    }

    private TaskResult run(Runner runner, int[] text, int context) {
        if (options.chunk() == 1 && runner.spec().params().containsKey("ratio")) {
            // A ratio resolves against the entries held at the first compression: one token here.
            throw new EvalException("ppl: '" + runner.spec() + "': ratio= resolves against the first prompt, which is one token "
                    + "when the text is fed token by token; use budgets (or --chunk N)");
        }
        boolean unbounded = runner.unboundedContext();
        int n = unbounded ? text.length : Math.min(text.length, context);
        Session s = runner.newSession(Math.min(context, n));
        double[] nll = new double[n - 1];
        int vocab = runner.model().config().vocabSize();
        if (options.chunk() == 1) {
            float[] logits = runner.decode(s, text[0]); // every token through the decode path, the first one too
            for (int i = 1; i < n; i++) {
                nll[i - 1] = -Metrics.logSoftmax(logits, vocab)[text[i]];
                if (i + 1 < n) logits = runner.decode(s, text[i]);
                if ((i & 63) == 0) runner.progress((double) i / n);
            }
        } else {
            for (int start = 0; start < n - 1; start += options.chunk()) {
                int end = Math.min(n - 1, start + options.chunk());
                float[][] logits = runner.evaluate(s, Arrays.copyOfRange(text, start, end));
                for (int i = start; i < end; i++) nll[i] = -Metrics.logSoftmax(logits[i - start], vocab)[text[i + 1]];
                runner.progress((double) end / n);
            }
        }
        runner.observe(s);
        // nll[i] scores token i+1; a segment covers the tokens [k·seg, (k+1)·seg) of the text.
        int seg = options.segment();
        int segments = (text.length - 1 + seg - 1) / seg;
        List<Double> perSegment = new ArrayList<>();
        for (int k = 0; k < segments; k++) {
            // a segment scored in part (the context ended inside it) counts when at least half of it was scored
            int from = k * seg, to = Math.min(text.length - 1, (k + 1) * seg), end = Math.min(to, nll.length);
            perSegment.add(end > from && 2 * (end - from) >= to - from ? Metrics.perplexity(nll, from, end) : null);
        }
        int inContext = Math.min(nll.length, Math.min(text.length, context) - 1);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("ppl", Metrics.perplexity(nll));
        m.put("ppl_in_context", Metrics.perplexity(nll, 0, inContext));
        if (nll.length > inContext) m.put("ppl_past_context", Metrics.perplexity(nll, inContext, nll.length));
        m.put("tokens_scored", (double) nll.length);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("segment", seg);
        d.put("text_tokens", text.length);
        d.put("context", context);
        d.put("segments", perSegment);
        return new TaskResult(m, d);
    }
}
