package dev.winnow.generate;

/**
 * Receives what a {@link BatchEngine} produces for one {@link BatchSequence}. Called on the
 * engine's (scheduler) thread, inside {@link BatchEngine#step}: keep it short and never block.
 */
public interface BatchListener {
    /**
     * One generated token: its id, the text it completes (may be "" while an incomplete UTF-8
     * character or a possible stop string is held back; the last token of a generation also
     * carries whatever was held back), and the logits it was sampled from (borrowed, valid only
     * during the call).
     */
    void onToken(int token, String text, float[] logits);

    /** The generation ended (stop, length, end of generation, context full, cancelled). */
    void onFinish(Generation generation);

    /**
     * Text released when a generation ends without a new token (context full or cancelled) that
     * was held back earlier; {@link Generation#text()} always has the whole text.
     */
    default void onText(String text) {}

    /** The step failed for this sequence; it is no longer active (its cache was cleared). */
    default void onError(RuntimeException e) {}
}
