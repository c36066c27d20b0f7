package dev.winnow.generate;

import dev.winnow.grammar.GrammarMatcher;
import dev.winnow.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits, in llama.cpp's order: logit bias → penalties (repetition,
 * then frequency and presence, over the last {@code repeatLastN} tokens) → top-k → top-p →
 * min-p → temperature → draw. Temperature 0 is argmax (first index on ties). Deterministic for
 * a given seed. With a {@linkplain GenerationParams#grammar() grammar}, the tokens it does not
 * allow are masked first and the chosen token advances the grammar, so every caller that samples
 * through a Sampler gets constrained output.
 */
public final class Sampler {
    private final GenerationParams p;
    private final SplittableRandom random;
    private int[] order = new int[0];
    private long[] keys = new long[0];
    private float[] work = new float[0];
    private final GrammarMatcher grammar;

    /** A sampler without a grammar; params with a grammar need {@link #Sampler(GenerationParams, Tokenizer)}. */
    public Sampler(GenerationParams params) {
        this(params, null);
    }

    /** @param tokenizer the model's tokenizer: needed when {@code params} has a grammar, else may be null */
    public Sampler(GenerationParams params, Tokenizer tokenizer) {
        this.p = params;
        this.random = new SplittableRandom(params.seed());
        if (params.grammar() != null) {
            if (tokenizer == null) throw new IllegalArgumentException("a grammar needs the model's tokenizer: use new Sampler(params, tokenizer)");
            this.grammar = new GrammarMatcher(params.grammar(), tokenizer);
        } else {
            this.grammar = null;
        }
    }

    /** The grammar state of this generation, or null without a grammar. */
    public GrammarMatcher grammar() {
        return grammar;
    }

    /**
     * @param logits at least {@code vocab} values (not modified)
     * @param recent the tokens so far (prompt and generated), newest last; for the repetition penalty
     * @param recentCount how many of {@code recent} are valid
     */
    public int sample(float[] logits, int vocab, int[] recent, int recentCount) {
        if (work.length < vocab) {
            work = new float[vocab];
            order = new int[vocab];
        }
        float[] l = work;
        System.arraycopy(logits, 0, l, 0, vocab);
        if (grammar == null) return pick(l, vocab, recent, recentCount);
        grammar.mask(l, vocab);
        int token = pick(l, vocab, recent, recentCount);
        grammar.accept(token);
        return token;
    }

    /**
     * The distribution {@link #sample} draws from after all its steps (grammar mask, penalty,
     * top-k/p, min-p, temperature) as probabilities over the vocabulary in {@code out[0, vocab)};
     * one-hot at the argmax when greedy. Neither draws nor advances the grammar (speculative
     * sampling decides the token itself, then calls {@link #accept}).
     */
    void distribution(float[] logits, int vocab, int[] recent, int recentCount, double[] out) {
        if (work.length < vocab) {
            work = new float[vocab];
            order = new int[vocab];
        }
        float[] l = work;
        System.arraycopy(logits, 0, l, 0, vocab);
        if (grammar != null) grammar.mask(l, vocab);
        applyLogitBias(l, vocab);
        applyPenalties(l, vocab, recent, recentCount);
        Arrays.fill(out, 0, vocab, 0);
        if (p.isGreedy()) {
            out[argmax(l, vocab)] = 1;
            return;
        }
        int n = weigh(l, vocab);
        for (int i = 0; i < n; i++) out[order[i]] = weights[i] / total;
    }

    /** Records that {@code token} was chosen outside {@link #sample} (advances the grammar). */
    void accept(int token) {
        if (grammar != null) grammar.accept(token);
    }

    /** The next uniform draw in [0, 1) of this sampler's seeded stream. */
    double nextDouble() {
        return random.nextDouble();
    }

    private double[] weights = new double[0];
    private double total;

    private int pick(float[] l, int vocab, int[] recent, int recentCount) {
        applyLogitBias(l, vocab);
        applyPenalties(l, vocab, recent, recentCount);
        if (p.isGreedy()) return argmax(l, vocab);
        int n = weigh(l, vocab);
        double[] w = weights;
        double r = random.nextDouble() * total;
        for (int i = 0; i < n; i++) {
            r -= w[i];
            if (r < 0) return order[i];
        }
        return order[n - 1];
    }

    /** Leaves the candidates in {@code order[0, n)}, their unnormalized weights in {@code weights} and their sum in {@code total}; returns n. */
    private int weigh(float[] l, int vocab) {
        int n = topCandidates(l, vocab);
        while (n > 1 && l[order[n - 1]] == Float.NEGATIVE_INFINITY) n--; // masked tokens never drawn
        // Softmax over the candidates (sorted by logit, descending).
        float max = l[order[0]];
        double[] probs = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            probs[i] = Math.exp(l[order[i]] - max);
            sum += probs[i];
        }
        for (int i = 0; i < n; i++) probs[i] /= sum;
        if (p.topP() < 1f) {
            double cum = 0;
            int keep = n;
            for (int i = 0; i < n; i++) {
                cum += probs[i];
                if (cum >= p.topP()) {
                    keep = i + 1;
                    break;
                }
            }
            n = keep;
        }
        if (p.minP() > 0f) {
            double threshold = probs[0] * p.minP();
            int keep = 1;
            while (keep < n && probs[keep] >= threshold) keep++;
            n = keep;
        }
        // Temperature on the kept logits.
        if (weights.length < n) weights = new double[n];
        double[] w = weights;
        total = 0;
        for (int i = 0; i < n; i++) {
            w[i] = Math.exp((l[order[i]] - max) / p.temperature());
            total += w[i];
        }
        return n;
    }

    private void applyLogitBias(float[] l, int vocab) {
        for (var e : p.logitBias().entrySet()) {
            int t = e.getKey();
            if (t < vocab && l[t] != Float.NEGATIVE_INFINITY) l[t] += e.getValue();
        }
    }

    /**
     * llama.cpp's penalties sampler: for each distinct token among the last {@code repeatLastN},
     * the repetition penalty divides a positive logit (multiplies a non-positive one), then
     * {@code count × frequency + presence} is subtracted.
     */
    private void applyPenalties(float[] l, int vocab, int[] recent, int recentCount) {
        boolean repeat = p.repeatPenalty() != 1f;
        boolean additive = p.frequencyPenalty() != 0f || p.presencePenalty() != 0f;
        if (!(repeat || additive) || p.repeatLastN() == 0 || recentCount == 0) return;
        int from = Math.max(0, recentCount - p.repeatLastN());
        if (counts.length < vocab) counts = new int[vocab]; // all zero between calls
        for (int i = from; i < recentCount; i++) {
            int t = recent[i];
            if (t >= 0 && t < vocab) counts[t]++;
        }
        for (int i = from; i < recentCount; i++) {
            int t = recent[i];
            if (t < 0 || t >= vocab || counts[t] == 0) continue; // out of range, or already penalised
            int count = counts[t];
            counts[t] = 0;
            if (l[t] == Float.NEGATIVE_INFINITY) continue; // masked by the grammar: stays masked
            if (repeat) l[t] = l[t] > 0 ? l[t] / p.repeatPenalty() : l[t] * p.repeatPenalty();
            l[t] -= count * p.frequencyPenalty() + p.presencePenalty();
        }
    }

    /** Occurrences per token id among the recent tokens; zero again after every {@link #applyPenalties}. */
    private int[] counts = new int[0];

    /** Fills {@code order} with the candidate ids sorted by logit descending; returns how many. */
    private int topCandidates(float[] l, int vocab) {
        int k = p.topK() > 0 ? Math.min(p.topK(), vocab) : vocab;
        Integer[] boxed;
        if (k < vocab) {
            // Min-heap of the k best, then sort.
            int[] heap = new int[k];
            int size = 0;
            for (int i = 0; i < vocab; i++) {
                if (size < k) {
                    heap[size] = i;
                    siftUp(heap, size++, l);
                } else if (better(i, heap[0], l)) {
                    heap[0] = i;
                    siftDown(heap, size, l);
                }
            }
            boxed = new Integer[k];
            for (int i = 0; i < k; i++) boxed[i] = heap[i];
        } else {
            return sortAll(l, vocab);
        }
        Arrays.sort(boxed, (a, b) -> better(a, b, l) ? -1 : better(b, a, l) ? 1 : 0);
        for (int i = 0; i < boxed.length; i++) order[i] = boxed[i];
        return boxed.length;
    }

    /**
     * Every id with a logit above −∞ (all ids if none is) in {@link #better} order, sorted as
     * primitive keys (descending logit in the high half, id in the low half): no boxing, so a
     * 150k-token vocabulary sorts in milliseconds. Masked (−∞) ids are never drawn, so they are
     * left out.
     */
    private int sortAll(float[] l, int vocab) {
        if (keys.length < vocab) keys = new long[vocab];
        int n = 0;
        for (int i = 0; i < vocab; i++) if (l[i] != Float.NEGATIVE_INFINITY) keys[n++] = key(l[i], i);
        if (n == 0) for (int i = 0; i < vocab; i++) keys[n++] = key(l[i], i);
        Arrays.sort(keys, 0, n);
        for (int i = 0; i < n; i++) order[i] = (int) keys[i];
        return n;
    }

    private static long key(float v, int id) {
        int bits = Float.floatToIntBits(v == 0f ? 0f : v);
        int ordered = bits ^ ((bits >> 31) & 0x7FFFFFFF); // signed order = float order
        return ((long) ~ordered << 32) | id;
    }

    /** a ranks before b: higher logit, then lower id. */
    private static boolean better(int a, int b, float[] l) {
        return l[a] > l[b] || (l[a] == l[b] && a < b);
    }

    private static void siftUp(int[] h, int i, float[] l) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (better(h[parent], h[i], l)) {
                int t = h[parent];
                h[parent] = h[i];
                h[i] = t;
                i = parent;
            } else {
                break;
            }
        }
    }

    private static void siftDown(int[] h, int size, float[] l) {
        int i = 0;
        while (true) {
            int a = 2 * i + 1, b = a + 1, worst = i;
            if (a < size && better(h[worst], h[a], l)) worst = a;
            if (b < size && better(h[worst], h[b], l)) worst = b;
            if (worst == i) return;
            int t = h[worst];
            h[worst] = h[i];
            h[i] = t;
            i = worst;
        }
    }

    /** Index of the largest value (first on ties). */
    public static int argmax(float[] l, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (l[i] > l[best]) best = i;
        return best;
    }
}
