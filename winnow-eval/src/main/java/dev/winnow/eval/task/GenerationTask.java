package dev.winnow.eval.task;

import dev.winnow.generate.Session;
import dev.winnow.model.Model;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared machine of text tasks (needle, RULER, QA): each item's prompt is prefilled into a
 * fresh session (the policy compresses it as it would any prompt), the model answers greedily
 * (up to {@code maxNewTokens}, stopping at end of generation) and the answer is scored against
 * the references. Items that do not fit the model's context are skipped for specs that cannot
 * run past it (and counted). Subclasses make the items and score them.
 */
public abstract class GenerationTask implements Task {
    protected final PromptFormat format;
    protected final int maxNewTokens;

    protected GenerationTask(PromptFormat format, int maxNewTokens) {
        if (maxNewTokens < 1) throw new dev.winnow.eval.EvalException("max new tokens must be >= 1, got " + maxNewTokens);
        this.format = format;
        this.maxNewTokens = maxNewTokens;
    }

    /** The task's items for a model (deterministic for a seed). */
    protected abstract List<GenerationItem> items(PromptFormat.Formatter formatter, Model model, long seed);

    /** The score of one answer, in [0, 1]. */
    protected abstract double score(String prediction, GenerationItem item);

    /** The name of the mean score among the metrics (e.g. {@code accuracy}, {@code f1}). */
    protected abstract String metricName();

    /** More details from the item results (e.g. the needle's grid); none by default. */
    protected Map<String, Object> summarize(List<ItemResult> results) {
        return Map.of();
    }

    /** The answer as scored: the generated text, stripped; subclasses may cut it (first line). */
    protected String prediction(String generated) {
        return generated.strip();
    }

    /** One item's outcome; {@code score} is null when the item was skipped (too long for the spec). */
    public record ItemResult(GenerationItem item, int promptTokens, String prediction, Double score) {
    }

    @Override
    public List<String> headline() {
        return List.of(metricName());
    }

    /** Common parameters: format and answer length (subclasses add theirs first). */
    protected void commonParams(Map<String, Object> p) {
        p.put("format", format.id());
        p.put("max_new_tokens", maxNewTokens);
    }

    @Override
    public Prepared prepare(Model model, long seed) {
        PromptFormat.Formatter f = format.forModel(model);
        List<GenerationItem> items = items(f, model, seed);
        if (items.isEmpty()) throw new dev.winnow.eval.EvalException(name() + ": no items");
        List<int[]> prompts = new ArrayList<>();
        for (GenerationItem it : items) prompts.add(f.encode(it.user(), it.answerPrefix()));
        return runner -> run(runner, items, prompts);
    }

    private TaskResult run(Runner runner, List<GenerationItem> items, List<int[]> prompts) {
        int ctx = runner.model().config().contextLength();
        boolean unbounded = runner.unboundedContext();
        List<ItemResult> results = new ArrayList<>();
        int skipped = 0;
        double sum = 0;
        int scored = 0;
        for (int i = 0; i < items.size(); i++) {
            GenerationItem it = items.get(i);
            int[] prompt = prompts.get(i);
            if (prompt.length + maxNewTokens > ctx && !unbounded) {
                results.add(new ItemResult(it, prompt.length, null, null));
                skipped++;
                continue;
            }
            Session s = runner.newSession(Math.min(ctx, prompt.length + maxNewTokens));
            float[] logits = runner.prefill(s, prompt);
            int[] gen = runner.greedy(s, logits, maxNewTokens);
            runner.observe(s);
            String pred = prediction(runner.model().tokenizer().decode(gen));
            double sc = score(pred, it);
            sum += sc;
            scored++;
            results.add(new ItemResult(it, prompt.length, pred, sc));
            runner.progress((i + 1.0) / items.size());
        }
        Map<String, Double> m = new LinkedHashMap<>();
        if (scored > 0) m.put(metricName(), sum / scored);
        m.put("items", (double) scored);
        m.put("items_skipped", (double) skipped);
        Map<String, Object> d = new LinkedHashMap<>(summarize(results));
        List<Map<String, Object>> list = new ArrayList<>();
        for (ItemResult r : results) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("id", r.item().id());
            e.putAll(r.item().labels());
            e.put("prompt_tokens", r.promptTokens());
            e.put("answer", String.join(" | ", r.item().answers()));
            e.put("prediction", r.prediction() == null ? null : abbreviate(r.prediction(), 80));
            e.put("score", r.score());
            list.add(e);
        }
        d.put("items", list);
        return new TaskResult(m, d);
    }

    static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
