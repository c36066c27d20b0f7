package dev.winnow.eval.task;

import dev.winnow.eval.EvalException;
import dev.winnow.eval.metrics.TextMetrics;
import dev.winnow.model.Model;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code needle}: passkey / needle-in-a-haystack retrieval. A fact (the needle template with a
 * random value) is planted at depth d of a filler context so that the whole prompt is about L
 * tokens, and the question comes at the end; the answer is right when it contains the value.
 * Accuracy over the grid of (L, d), {@code samples} items per cell. Filler, needle, question and
 * answer prefix are configurable; with the chat format the prompt goes through the model's chat
 * template. Items are deterministic for a seed.
 */
public final class NeedleTask extends GenerationTask {
    /**
     * @param lengths prompt lengths L in tokens
     * @param depths needle depths d in [0, 1] (0: start of the context, 1: just before the question)
     * @param samples items per (L, d)
     * @param filler the haystack text (cut into sentences, cycled)
     * @param needle the fact; {@code {value}} is replaced by the value
     * @param question the question after the context
     * @param answerPrefix the start of the answer (the model continues it)
     * @param values {@code number} (random, {@code digits} digits) or {@code word}
     * @param digits digits of a number value
     */
    public record Options(List<Integer> lengths, List<Double> depths, int samples, TextSource filler, String needle,
                          String question, String answerPrefix, String values, int digits) {
        public Options {
            lengths = List.copyOf(lengths);
            depths = List.copyOf(depths);
            if (lengths.isEmpty()) throw new EvalException("needle: no lengths");
            for (int l : lengths) if (l < 16) throw new EvalException("needle: length " + l + " is too short (at least 16 tokens)");
            if (depths.isEmpty()) throw new EvalException("needle: no depths");
            for (double d : depths) if (!(d >= 0 && d <= 1)) throw new EvalException("needle: depth " + d + " not in [0, 1]");
            if (samples < 1) throw new EvalException("needle: samples must be >= 1, got " + samples);
            if (!needle.contains("{value}")) throw new EvalException("needle: the needle template must contain {value}: '" + needle + "'");
            if (!values.equals("number") && !values.equals("word")) throw new EvalException("needle: values must be number or word, got " + values);
            if (digits < 1 || digits > 18) throw new EvalException("needle: digits must be 1–18, got " + digits);
        }

        public static Options defaults() {
            return new Options(List.of(256, 512, 1024), List.of(0.0, 0.25, 0.5, 0.75, 1.0), 2, TextSource.sample(),
                    "The pass key is {value}. Remember it. {value} is the pass key.",
                    "What is the pass key?", "The pass key is", "number", 5);
        }
    }

    private final Options options;

    public NeedleTask(Options options, PromptFormat format, int maxNewTokens) {
        super(format, maxNewTokens);
        this.options = options;
    }

    public Options options() {
        return options;
    }

    @Override
    public String name() {
        return "needle";
    }

    @Override
    protected String metricName() {
        return "accuracy";
    }

    @Override
    public Map<String, Object> params() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("lengths", options.lengths());
        p.put("depths", options.depths());
        p.put("samples", options.samples());
        p.put("filler", options.filler().id());
        p.put("needle", options.needle());
        p.put("question", options.question());
        p.put("answer_prefix", options.answerPrefix());
        p.put("values", options.values().equals("number") ? "number:" + options.digits() : "word");
        commonParams(p);
        return p;
    }

    @Override
    protected List<GenerationItem> items(PromptFormat.Formatter formatter, Model model, long seed) {
        return generate(options, seed, TokenCounter.of(formatter));
    }

    /** The items for a seed: for each length, depth and sample, a haystack with the needle at that depth. */
    public static List<GenerationItem> generate(Options o, long seed, TokenCounter counter) {
        List<String> sentences = o.filler().sentences();
        List<GenerationItem> items = new ArrayList<>();
        for (int li = 0; li < o.lengths().size(); li++) {
            int length = o.lengths().get(li);
            for (int di = 0; di < o.depths().size(); di++) {
                double depth = o.depths().get(di);
                for (int r = 0; r < o.samples(); r++) {
                    SplittableRandom rnd = Seeds.random(seed, 1, length, di, r);
                    String value = o.values().equals("number") ? Seeds.number(rnd, o.digits()) : Seeds.word(rnd);
                    int start = rnd.nextInt(sentences.size());
                    String fact = o.needle().replace("{value}", value);
                    String user = Haystack.fit(length, hay -> hay + "\n\n" + o.question(), o.answerPrefix(), sentences,
                            start, List.of(new Haystack.Insertion(depth, fact)), counter);
                    Map<String, Object> labels = new LinkedHashMap<>();
                    labels.put("length", length);
                    labels.put("depth", depth);
                    labels.put("sample", r);
                    items.add(new GenerationItem(String.format(Locale.ROOT, "L%d-d%.2f-s%d", length, depth, r), labels,
                            user, o.answerPrefix(), List.of(value)));
                }
            }
        }
        return items;
    }

    @Override
    protected double score(String prediction, GenerationItem item) {
        return TextMetrics.containsAll(prediction, item.answers());
    }

    /** The accuracy grid: one entry per (length, depth). */
    @Override
    protected Map<String, Object> summarize(List<ItemResult> results) {
        Map<String, double[]> cells = new LinkedHashMap<>(); // "L|d" → {sum, n}
        for (int l : options.lengths()) for (double d : options.depths()) cells.put(l + "|" + d, new double[2]);
        for (ItemResult r : results) {
            if (r.score() == null) continue;
            double[] c = cells.get(r.item().labels().get("length") + "|" + r.item().labels().get("depth"));
            c[0] += r.score();
            c[1]++;
        }
        List<Map<String, Object>> grid = new ArrayList<>();
        for (int l : options.lengths()) {
            for (double d : options.depths()) {
                double[] c = cells.get(l + "|" + d);
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("length", l);
                e.put("depth", d);
                e.put("accuracy", c[1] > 0 ? c[0] / c[1] : null);
                e.put("n", (int) c[1]);
                grid.add(e);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("lengths", options.lengths());
        out.put("depths", options.depths());
        out.put("grid", grid);
        return out;
    }
}
