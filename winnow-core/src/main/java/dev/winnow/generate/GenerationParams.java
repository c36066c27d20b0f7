package dev.winnow.generate;

import dev.winnow.grammar.Grammar;
import dev.winnow.grammar.JsonSchema;

import java.util.List;
import java.util.Map;

/**
 * How to generate: sampling settings and stop rules. Defaults follow llama.cpp
 * (temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no repetition penalty).
 *
 * @param maxTokens most tokens to generate; -1 = until EOS or the context is full
 * @param temperature 0 = greedy (argmax)
 * @param topK keep the k most likely tokens; 0 = off
 * @param topP keep the smallest set whose probability reaches p; 1 = off
 * @param minP drop tokens with probability below minP × the top probability; 0 = off
 * @param repeatPenalty divide positive (multiply negative) logits of recent tokens; 1 = off
 * @param repeatLastN how many recent tokens the penalty looks at
 * @param seed random seed; the same seed gives the same output
 * @param stop strings that end generation (not included in the output)
 * @param ignoreEos keep generating past end-of-generation tokens
 * @param grammar constrain the output to this grammar (null = free text); the {@link Sampler}
 *                masks every token that would leave the language and allows end of generation
 *                only once the output is complete
 * @param presencePenalty subtracted from the logit of every token that occurs among the last
 *                        {@code repeatLastN} tokens (OpenAI's presence_penalty, -2…2); 0 = off
 * @param frequencyPenalty subtracted once per occurrence among the last {@code repeatLastN}
 *                         tokens (OpenAI's frequency_penalty, -2…2); 0 = off
 * @param logitBias added to the logits of the given token ids before anything else (OpenAI's
 *                  logit_bias, -100…100; -100 in effect bans a token)
 */
public record GenerationParams(
        int maxTokens,
        float temperature,
        int topK,
        float topP,
        float minP,
        float repeatPenalty,
        int repeatLastN,
        long seed,
        List<String> stop,
        boolean ignoreEos,
        Grammar grammar,
        float presencePenalty,
        float frequencyPenalty,
        Map<Integer, Float> logitBias) {

    /** Without a grammar (the constructor before constrained decoding). */
    public GenerationParams(int maxTokens, float temperature, int topK, float topP, float minP, float repeatPenalty,
                            int repeatLastN, long seed, List<String> stop, boolean ignoreEos) {
        this(maxTokens, temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, stop, ignoreEos, null);
    }

    /** Without presence/frequency penalties and logit bias. */
    public GenerationParams(int maxTokens, float temperature, int topK, float topP, float minP, float repeatPenalty,
                            int repeatLastN, long seed, List<String> stop, boolean ignoreEos, Grammar grammar) {
        this(maxTokens, temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, stop, ignoreEos, grammar,
                0f, 0f, Map.of());
    }

    public GenerationParams {
        stop = List.copyOf(stop);
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        if (maxTokens < -1) throw new IllegalArgumentException("maxTokens must be >= -1, got " + maxTokens);
        if (!(temperature >= 0)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("topK must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        if (!(minP >= 0 && minP <= 1)) throw new IllegalArgumentException("minP must be in [0, 1], got " + minP);
        if (!(repeatPenalty > 0)) throw new IllegalArgumentException("repeatPenalty must be > 0, got " + repeatPenalty);
        if (repeatLastN < 0) throw new IllegalArgumentException("repeatLastN must be >= 0, got " + repeatLastN);
        if (!(presencePenalty >= -2 && presencePenalty <= 2)) {
            throw new IllegalArgumentException("presencePenalty must be in [-2, 2], got " + presencePenalty);
        }
        if (!(frequencyPenalty >= -2 && frequencyPenalty <= 2)) {
            throw new IllegalArgumentException("frequencyPenalty must be in [-2, 2], got " + frequencyPenalty);
        }
        for (Map.Entry<Integer, Float> e : logitBias.entrySet()) {
            if (e.getKey() < 0) throw new IllegalArgumentException("logitBias token id must be >= 0, got " + e.getKey());
            float v = e.getValue();
            if (!(v >= -100 && v <= 100)) {
                throw new IllegalArgumentException("logitBias for token " + e.getKey() + " must be in [-100, 100], got " + v);
            }
        }
        for (String s : stop) {
            if (s.isEmpty()) throw new IllegalArgumentException("stop strings must not be empty");
        }
    }

    public static GenerationParams defaults() {
        return builder().build();
    }

    /** Greedy decoding (temperature 0). */
    public static GenerationParams greedy(int maxTokens) {
        return builder().temperature(0).maxTokens(maxTokens).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().maxTokens(maxTokens).temperature(temperature).topK(topK).topP(topP).minP(minP)
                .repeatPenalty(repeatPenalty).repeatLastN(repeatLastN).seed(seed).stop(stop).ignoreEos(ignoreEos)
                .grammar(grammar).presencePenalty(presencePenalty).frequencyPenalty(frequencyPenalty)
                .logitBias(logitBias);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    public static final class Builder {
        private int maxTokens = 256;
        private float temperature = 0.8f;
        private int topK = 40;
        private float topP = 0.95f;
        private float minP = 0.05f;
        private float repeatPenalty = 1.0f;
        private int repeatLastN = 64;
        private long seed = System.nanoTime();
        private List<String> stop = List.of();
        private boolean ignoreEos;
        private Grammar grammar;
        private float presencePenalty;
        private float frequencyPenalty;
        private Map<Integer, Float> logitBias = Map.of();

        public Builder maxTokens(int v) { maxTokens = v; return this; }
        public Builder temperature(float v) { temperature = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder topP(float v) { topP = v; return this; }
        public Builder minP(float v) { minP = v; return this; }
        public Builder repeatPenalty(float v) { repeatPenalty = v; return this; }
        public Builder repeatLastN(int v) { repeatLastN = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder stop(List<String> v) { stop = v; return this; }
        public Builder stop(String... v) { stop = List.of(v); return this; }
        public Builder ignoreEos(boolean v) { ignoreEos = v; return this; }
        /** Constrain the output to a grammar (null = free text). */
        public Builder grammar(Grammar v) { grammar = v; return this; }
        /** The output is one JSON value valid under this schema ({@link JsonSchema#grammar()}). */
        public Builder responseFormat(JsonSchema v) { grammar = v == null ? null : v.grammar(); return this; }

        /** OpenAI's presence_penalty over the last {@link #repeatLastN} tokens (-2…2; 0 = off). */
        public Builder presencePenalty(float v) { presencePenalty = v; return this; }
        /** OpenAI's frequency_penalty over the last {@link #repeatLastN} tokens (-2…2; 0 = off). */
        public Builder frequencyPenalty(float v) { frequencyPenalty = v; return this; }
        /** Added to the logits of these token ids (-100…100). */
        public Builder logitBias(Map<Integer, Float> v) { logitBias = v; return this; }

        public GenerationParams build() {
            return new GenerationParams(maxTokens, temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed,
                    stop, ignoreEos, grammar, presencePenalty, frequencyPenalty, logitBias);
        }
    }
}
