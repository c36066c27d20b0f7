package dev.winnow.eval.task;

import dev.winnow.eval.EvalException;
import dev.winnow.eval.metrics.TextMetrics;
import dev.winnow.model.Model;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * RULER-style synthetic tasks (Hsieh et al. 2024), generated locally from a seed:
 * <ul>
 * <li>{@code multikey} — several facts "One of the special magic numbers for KEY is: VALUE."
 *     are planted in the filler; the question asks for one key's number (the others are
 *     distractors). Scored as RULER: 1 when the answer contains the value.</li>
 * <li>{@code vartrack} — variable tracking: a chain "VAR A = 12345.", "VAR B = VAR A.", … (plus
 *     distractor chains with other values) is spread through the filler in order; the question
 *     asks for every variable holding the value. Scored as RULER's string_match_all: the
 *     fraction of the chain's variables the answer names.</li>
 * </ul>
 * Filler defaults to RULER's noise ("The grass is green. …").
 */
public final class RulerTask extends GenerationTask {
    /**
     * @param variant {@code multikey} or {@code vartrack}
     * @param lengths prompt lengths in tokens
     * @param samples items per length
     * @param keys multikey: facts planted (one is asked for)
     * @param chains vartrack: chains (one is asked for)
     * @param hops vartrack: assignments after the first in each chain
     * @param filler the haystack text
     */
    public record Options(String variant, List<Integer> lengths, int samples, int keys, int chains, int hops, TextSource filler) {
        public Options {
            lengths = List.copyOf(lengths);
            if (!variant.equals("multikey") && !variant.equals("vartrack")) {
                throw new EvalException("ruler: unknown variant '" + variant + "'; valid: multikey, vartrack");
            }
            if (lengths.isEmpty()) throw new EvalException("ruler: no lengths");
            for (int l : lengths) if (l < 32) throw new EvalException("ruler: length " + l + " is too short (at least 32 tokens)");
            if (samples < 1) throw new EvalException("ruler: samples must be >= 1, got " + samples);
            if (keys < 1) throw new EvalException("ruler: keys must be >= 1, got " + keys);
            if (chains < 1) throw new EvalException("ruler: chains must be >= 1, got " + chains);
            if (hops < 1) throw new EvalException("ruler: hops must be >= 1, got " + hops);
        }

        public static Options defaults(String variant) {
            return new Options(variant, List.of(256, 512, 1024), 4, 4, 1, 4, TextSource.noise());
        }
    }

    private final Options options;

    public RulerTask(Options options, PromptFormat format, int maxNewTokens) {
        super(format, maxNewTokens);
        this.options = options;
    }

    /** Default answer lengths: a number for multikey, a list of names for vartrack. */
    public static int defaultMaxNewTokens(String variant) {
        return variant.equals("vartrack") ? 32 : 16;
    }

    @Override
    public String name() {
        return "ruler-" + options.variant();
    }

    @Override
    protected String metricName() {
        return "score";
    }

    @Override
    public Map<String, Object> params() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("lengths", options.lengths());
        p.put("samples", options.samples());
        if (options.variant().equals("multikey")) {
            p.put("keys", options.keys());
        } else {
            p.put("chains", options.chains());
            p.put("hops", options.hops());
        }
        p.put("filler", options.filler().id());
        commonParams(p);
        return p;
    }

    @Override
    protected List<GenerationItem> items(PromptFormat.Formatter formatter, Model model, long seed) {
        return generate(options, seed, TokenCounter.of(formatter));
    }

    public static List<GenerationItem> generate(Options o, long seed, TokenCounter counter) {
        List<String> sentences = o.filler().sentences();
        List<GenerationItem> items = new ArrayList<>();
        for (int length : o.lengths()) {
            for (int r = 0; r < o.samples(); r++) {
                SplittableRandom rnd = Seeds.random(seed, o.variant().equals("multikey") ? 2 : 3, length, r);
                items.add(o.variant().equals("multikey") ? multikey(o, length, r, rnd, sentences, counter)
                        : vartrack(o, length, r, rnd, sentences, counter));
            }
        }
        return items;
    }

    private static GenerationItem multikey(Options o, int length, int r, SplittableRandom rnd, List<String> sentences,
                                           TokenCounter counter) {
        Set<String> keys = new LinkedHashSet<>();
        int capacity = Seeds.ADJECTIVES.length * Seeds.WORDS.length;
        if (o.keys() > capacity) throw new EvalException("ruler: at most " + capacity + " keys");
        while (keys.size() < o.keys()) {
            keys.add(Seeds.ADJECTIVES[rnd.nextInt(Seeds.ADJECTIVES.length)] + "-" + Seeds.word(rnd));
        }
        List<Haystack.Insertion> ins = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (String k : keys) {
            String v = Seeds.number(rnd, 7);
            values.add(v);
            ins.add(new Haystack.Insertion(rnd.nextDouble(), "One of the special magic numbers for " + k + " is: " + v + "."));
        }
        ins.sort(java.util.Comparator.comparingDouble(Haystack.Insertion::depth));
        int asked = rnd.nextInt(o.keys());
        String key = new ArrayList<>(keys).get(asked);
        String intro = "Some special magic numbers are hidden within the following text. Make sure to memorize it. "
                + "I will quiz you about the numbers afterwards.";
        String question = "What is the special magic number for " + key + " mentioned in the provided text?";
        String prefix = "The special magic number for " + key + " mentioned in the provided text is";
        String user = Haystack.fit(length, hay -> intro + "\n" + hay + "\n" + question, prefix, sentences,
                rnd.nextInt(sentences.size()), ins, counter);
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("length", length);
        labels.put("sample", r);
        labels.put("key", key);
        return new GenerationItem(String.format(Locale.ROOT, "mk-L%d-s%d", length, r), labels, user, prefix,
                List.of(values.get(asked)));
    }

    private static GenerationItem vartrack(Options o, int length, int r, SplittableRandom rnd, List<String> sentences,
                                           TokenCounter counter) {
        Set<String> used = new LinkedHashSet<>();
        List<List<String>> chains = new ArrayList<>();
        List<String> values = new ArrayList<>();
        Set<String> valueSet = new LinkedHashSet<>();
        for (int c = 0; c < o.chains(); c++) {
            List<String> vars = new ArrayList<>();
            while (vars.size() < o.hops() + 1) {
                String v = Seeds.variable(rnd);
                if (used.add(v)) vars.add(v);
            }
            chains.add(vars);
            String value;
            do value = Seeds.number(rnd, 5); while (!valueSet.add(value));
            values.add(value);
        }
        // Each chain's statements at increasing random depths (interleaved between chains).
        List<Haystack.Insertion> ins = new ArrayList<>();
        for (int c = 0; c < chains.size(); c++) {
            List<String> vars = chains.get(c);
            double[] depths = new double[vars.size()];
            for (int i = 0; i < depths.length; i++) depths[i] = rnd.nextDouble();
            java.util.Arrays.sort(depths);
            for (int i = 0; i < vars.size(); i++) {
                String stmt = i == 0 ? "VAR " + vars.get(0) + " = " + values.get(c) + "." : "VAR " + vars.get(i) + " = VAR " + vars.get(i - 1) + ".";
                ins.add(new Haystack.Insertion(depths[i], stmt));
            }
        }
        ins.sort(java.util.Comparator.comparingDouble(Haystack.Insertion::depth));
        int asked = rnd.nextInt(chains.size());
        String value = values.get(asked);
        String intro = "Memorize and track the chain(s) of variable assignment hidden in the following text.";
        String question = "Question: Find all variables that are assigned the value " + value + " in the text above.";
        String prefix = "Answer: According to the chain(s) of variable assignment in the text above, " + (o.hops() + 1)
                + " variables are assigned the value " + value + ", they are:";
        String user = Haystack.fit(length, hay -> intro + "\n\n" + hay + "\n" + question, prefix, sentences,
                rnd.nextInt(sentences.size()), ins, counter);
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("length", length);
        labels.put("sample", r);
        return new GenerationItem(String.format(Locale.ROOT, "vt-L%d-s%d", length, r), labels, user, prefix, chains.get(asked));
    }

    @Override
    protected double score(String prediction, GenerationItem item) {
        return TextMetrics.containsAll(prediction, item.answers());
    }

    /** Score by length. */
    @Override
    protected Map<String, Object> summarize(List<ItemResult> results) {
        Map<Integer, double[]> by = new LinkedHashMap<>();
        for (int l : options.lengths()) by.put(l, new double[2]);
        for (ItemResult r : results) {
            if (r.score() == null) continue;
            double[] c = by.get((Integer) r.item().labels().get("length"));
            c[0] += r.score();
            c[1]++;
        }
        List<Map<String, Object>> out = new ArrayList<>();
        by.forEach((l, c) -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("length", l);
            e.put("score", c[1] > 0 ? c[0] / c[1] : null);
            e.put("n", (int) c[1]);
            out.add(e);
        });
        return Map.of("by_length", out);
    }
}
