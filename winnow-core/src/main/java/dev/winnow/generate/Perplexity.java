package dev.winnow.generate;

/**
 * Teacher-forced negative log-likelihood of a token sequence through a {@link Session} (with
 * whatever KV policy it has): the text is run in the session's chunks, and the logits after
 * token {@code i} score token {@code i+1}.
 */
public final class Perplexity {
    private Perplexity() {
    }

    /** NLL (natural log) of tokens {@code 1 … n−1}, each given all tokens before it; {@code nll[i-1]} is token i's. */
    public static double[] nll(Session session, int[] tokens) {
        if (tokens.length < 2) throw new IllegalArgumentException("need at least 2 tokens, got " + tokens.length);
        double[] out = new double[tokens.length - 1];
        int chunk = 256;
        for (int start = 0; start < tokens.length - 1; start += chunk) {
            int end = Math.min(tokens.length - 1, start + chunk);
            float[][] logits = session.evaluate(java.util.Arrays.copyOfRange(tokens, start, end));
            for (int i = start; i < end; i++) out[i] = -logSoftmax(logits[i - start], tokens[i + 1]);
        }
        return out;
    }

    /** log p(target) under softmax(logits). */
    public static double logSoftmax(float[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        return logits[target] - max - Math.log(sum);
    }

    /** exp(mean NLL) over {@code nll[from, to)}. */
    public static double perplexity(double[] nll, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += nll[i];
        return Math.exp(s / (to - from));
    }
}
