package dev.winnow.generate.speculative;

/**
 * Proposes tokens for speculative decoding. The session verifies them with the target model in
 * one forward pass and keeps the longest prefix (or tree path) that its own sampling accepts, so
 * a drafter changes speed, never the output. One instance serves one session.
 */
public interface Drafter {
    /** The canonical spec, e.g. {@code lookup:n=3,k=8}. */
    String spec();

    /**
     * A draft continuing {@code context[0, length)}, whose last token is the root (sampled, not
     * yet run), of at most {@code maxRows} rows including the root ({@code maxRows >= 1}).
     */
    Draft draft(int[] context, int length, int maxRows);

    /**
     * After each verification pass: {@code logits} holds every row's logits ({@code rows × vocab},
     * row-major; borrowed, valid during the call). Drafters that learn from the model use it.
     */
    default void verified(Draft draft, float[] logits, int vocab) {
    }

    /** Why this drafter cannot run with its model, or null; checked before generating. */
    default String refusal() {
        return null;
    }

    /** Forgets what was learnt from the context (the session was reset). */
    default void reset() {
    }
}
