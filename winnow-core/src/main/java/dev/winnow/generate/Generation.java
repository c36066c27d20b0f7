package dev.winnow.generate;

/**
 * The result of one generation.
 *
 * @param text the generated text (without stop strings)
 * @param tokens the generated token ids (including a final end-of-generation token, if any)
 * @param promptTokens how many prompt tokens were processed
 * @param prefillNanos time spent processing the prompt
 * @param decodeNanos time spent generating
 */
public record Generation(String text, int[] tokens, int promptTokens, StopReason stopReason,
                         long prefillNanos, long decodeNanos) {
    public double prefillTokensPerSecond() {
        return prefillNanos == 0 ? 0 : promptTokens * 1e9 / prefillNanos;
    }

    public double decodeTokensPerSecond() {
        return decodeNanos == 0 ? 0 : tokens.length * 1e9 / decodeNanos;
    }
}
