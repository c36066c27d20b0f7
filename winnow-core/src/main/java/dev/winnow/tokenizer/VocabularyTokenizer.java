package dev.winnow.tokenizer;

/**
 * What every vocabulary-based tokenizer answers the same way: token texts, special ids and
 * flags, all from its {@link Vocabulary}. Subclasses implement encoding and decoding.
 */
public abstract sealed class VocabularyTokenizer implements Tokenizer permits SentencePieceTokenizer, ByteLevelBpeTokenizer {
    final Vocabulary vocab;

    VocabularyTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
    }

    @Override
    public String tokenText(int id) {
        if (id < 0 || id >= vocab.size()) {
            throw new IllegalArgumentException("token id " + id + " is out of range (vocabulary size " + vocab.size() + ")");
        }
        return vocab.text(id);
    }

    /** The id of the token with exactly this vocabulary text (e.g. {@code <|im_start|>}), or -1. */
    public int tokenId(String text) {
        return vocab.id(text);
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public int bosId() {
        return vocab.bosId();
    }

    @Override
    public int eosId() {
        return vocab.eosId();
    }

    /** EOT (end of turn) id, given or detected by text as llama.cpp does, or -1. */
    public int eotId() {
        return vocab.eotId();
    }

    /** EOM (end of message) id, or -1. */
    public int eomId() {
        return vocab.eomId();
    }

    /** Padding id, or -1. */
    public int padId() {
        return vocab.padId();
    }

    /** Every id that ends generation (EOS, EOT, EOM and tokens llama.cpp recognises by text). */
    public int[] endOfGenerationIds() {
        return vocab.eogIds();
    }

    /** {@code tokenizer.ggml.add_bos_token} (and a BOS token exists). */
    @Override
    public boolean addBosByDefault() {
        return vocab.addBos() && vocab.bosId() >= 0;
    }

    /** {@code tokenizer.ggml.add_eos_token}: encode appends EOS when it adds BOS and this is set. */
    public boolean addEosByDefault() {
        return vocab.addEos();
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return vocab.isEog(id);
    }

    @Override
    public boolean isControl(int id) {
        return vocab.hasAttr(id, Vocabulary.ATTR_CONTROL);
    }
}
