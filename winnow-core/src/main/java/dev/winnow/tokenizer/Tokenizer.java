package dev.winnow.tokenizer;

/**
 * Turns text into token ids and back. Implementations are built from a model file's tokenizer
 * metadata ({@link Tokenizers#fromGguf}).
 */
public interface Tokenizer {
    /**
     * Encodes text. {@code addBos}: prepend the BOS token (callers usually pass
     * {@link #addBosByDefault()}). {@code parseSpecial}: recognise control/user-defined tokens
     * written in the text (e.g. {@code <s>}) as those tokens; when false they are encoded as
     * plain text.
     */
    int[] encode(String text, boolean addBos, boolean parseSpecial);

    /** Encodes plain text as a model prompt: BOS per the model's flag, special tokens not parsed. */
    default int[] encode(String text) {
        return encode(text, addBosByDefault(), false);
    }

    /**
     * Decodes ids to text. Control tokens (BOS, EOS, …) produce no text; byte-fallback tokens
     * are joined into UTF-8; the SentencePiece space prefix added by encode is removed.
     */
    String decode(int[] tokens);

    /** A decoder for streaming: emits text only once the UTF-8 characters are complete. */
    StreamingDecoder streamingDecoder();

    /**
     * A streaming decoder for tokens that continue text decoded earlier (e.g. the generated
     * tokens after a prompt): like {@link #streamingDecoder()} but without removing the
     * SentencePiece space prefix from the first piece, so " time" after "Once upon a" keeps its
     * space. Tokenizers without a space prefix return {@link #streamingDecoder()}.
     */
    default StreamingDecoder continuationDecoder() {
        return streamingDecoder();
    }

    /** The raw vocabulary entry of a token (e.g. {@code ▁the}, {@code <0x0A>}). */
    String tokenText(int id);

    int vocabSize();

    /** BOS id, or -1 when the vocabulary has none. */
    int bosId();

    /** EOS id, or -1 when the vocabulary has none. */
    int eosId();

    /** Whether prompts start with BOS ({@code tokenizer.ggml.add_bos_token}, default true for SentencePiece). */
    boolean addBosByDefault();

    /** Whether generation stops at this token (EOS, EOT and other end-of-generation tokens). */
    boolean isEndOfGeneration(int id);

    /** Whether the token is a control token (produces no text when decoded). */
    boolean isControl(int id);
}
