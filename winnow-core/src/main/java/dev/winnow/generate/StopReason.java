package dev.winnow.generate;

/** Why generation ended. */
public enum StopReason {
    /** The model produced an end-of-generation token. */
    END_OF_GENERATION,
    /** {@link GenerationParams#maxTokens()} tokens were generated. */
    MAX_TOKENS,
    /** A stop string appeared. */
    STOP_STRING,
    /** The context is full. */
    CONTEXT_FULL,
    /** The generation was cancelled ({@link BatchSequence#cancel()}, or the flag given to {@link Session#generate}). */
    CANCELLED
}
