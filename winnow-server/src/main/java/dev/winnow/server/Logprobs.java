package dev.winnow.server;

import dev.winnow.tokenizer.Tokenizer;

/** Log probabilities of a sampled token and its most likely alternatives, from raw logits. */
final class Logprobs {
    /** One alternative: token id, its text and log probability. */
    record Alt(int id, String text, double logprob) {
    }

    /** The sampled token's log probability and the {@code top} most likely tokens. */
    record Entry(Alt token, Alt[] top) {
    }

    private final Tokenizer tokenizer;
    private final int vocab;

    Logprobs(Tokenizer tokenizer, int vocab) {
        this.tokenizer = tokenizer;
        this.vocab = vocab;
    }

    Entry entry(int token, float[] logits, int top) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) max = Math.max(max, logits[i]);
        double sum = 0;
        for (int i = 0; i < vocab; i++) sum += Math.exp(logits[i] - max);
        double logZ = max + Math.log(sum);
        Alt[] best = new Alt[top];
        int[] ids = new int[top];
        int filled = 0;
        for (int i = 0; i < vocab && top > 0; i++) {
            // insertion into a small sorted array (top <= 20)
            if (filled < top || logits[i] > logits[ids[filled - 1]]) {
                int j = Math.min(filled, top - 1);
                while (j > 0 && logits[ids[j - 1]] < logits[i]) {
                    ids[j] = ids[j - 1];
                    j--;
                }
                ids[j] = i;
                if (filled < top) filled++;
            }
        }
        for (int k = 0; k < filled; k++) best[k] = alt(ids[k], logits, logZ);
        return new Entry(alt(token, logits, logZ), best);
    }

    private Alt alt(int id, float[] logits, double logZ) {
        return new Alt(id, text(id), logits[id] - logZ);
    }

    String text(int id) {
        return tokenizer.decode(new int[] {id});
    }
}
