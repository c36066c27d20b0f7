package dev.winnow.tokenizer;

/**
 * Decodes a token stream incrementally: {@link #push} returns the text that became complete
 * with this token (possibly empty while a multi-byte UTF-8 character is split across byte
 * tokens); {@link #flush} returns whatever is left (incomplete bytes as U+FFFD).
 * The concatenation of all pushes and the flush equals {@link Tokenizer#decode} of the tokens.
 */
public interface StreamingDecoder {
    String push(int token);

    String flush();
}
