package dev.winnow.tokenizer;

import dev.winnow.gguf.GgufFile;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The SentencePiece (BPE-by-score) tokenizer of llama.cpp ({@code llm_tokenizer_spm}), for
 * GGUF files with {@code tokenizer.ggml.model = "llama"} (Llama 1/2, Mistral, Phi-3, TinyLlama,
 * llama2.c models, …).
 *
 * <p>Encoding follows llama.cpp: special tokens written in the text are split out first
 * ({@link Vocabulary#partition}); each text fragment that starts the input or follows a
 * special token gets the {@code ▁} space prefix (when {@code add_space_prefix}); spaces become
 * {@code ▁}; then adjacent symbols (starting from single code points) are merged greedily,
 * highest vocabulary score first (ties: leftmost), as long as the merged text is a token;
 * finally symbols that are not tokens are written as {@code <0xNN>} byte tokens.
 *
 * <p>Decoding: control and unknown tokens produce no text, byte tokens produce their raw byte
 * (the bytes are then decoded as UTF-8), {@code ▁} becomes a space, user-defined tokens produce
 * their text. A leading BOS is skipped, and one leading space is removed from the first piece
 * after it when {@code add_space_prefix} is set (the prefix that encode added).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SentencePieceTokenizer extends VocabularyTokenizer {
    static final char SPACE_MARK = '\u2581'; // ▁

    /** Decoded bytes of each token (llama.cpp token_to_piece with special=false). */
    private final byte[][] pieces;
    /** Token id of each byte value (<0xNN>, else the one-byte text), -1 when none. */
    private final int[] byteTokens;

    SentencePieceTokenizer(Vocabulary vocab) {
        super(vocab);
        int n = vocab.size();
        this.pieces = new byte[n][];
        for (int i = 0; i < n; i++) pieces[i] = decodePiece(i);
        this.byteTokens = new int[256];
        for (int b = 0; b < 256; b++) {
            int id = vocab.id(String.format("<0x%02X>", b));
            if (id < 0 && b < 0x80) id = vocab.id(String.valueOf((char) b));
            byteTokens[b] = id;
        }
    }

    /**
     * Builds a tokenizer from a vocabulary: {@code tokenTypes} as {@code tokenizer.ggml.token_type}
     * (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte; null: all normal).
     * Mainly for tests; models come through {@link #fromGguf}.
     */
    public static SentencePieceTokenizer of(String[] tokens, float[] scores, int[] tokenTypes,
                                            int bosId, int eosId, int unkId,
                                            boolean addBos, boolean addSpacePrefix) {
        Vocabulary.Config c = new Vocabulary.Config(bosId, eosId, unkId, -1, -1, -1, addBos, false, addSpacePrefix, "");
        return new SentencePieceTokenizer(new Vocabulary(tokens.clone(), scores == null ? null : scores.clone(),
                tokenTypes == null ? null : tokenTypes.clone(), c));
    }

    /**
     * Reads the tokenizer from a GGUF file's metadata (the file can be closed afterwards).
     * Requires {@code tokenizer.ggml.tokens} and {@code tokenizer.ggml.scores}; everything else
     * has llama.cpp's defaults.
     */
    public static SentencePieceTokenizer fromGguf(GgufFile file) {
        return new SentencePieceTokenizer(Vocabulary.fromGguf(file, Vocabulary.Config.spmDefaults(), true));
    }

    private byte[] decodePiece(int id) {
        int attr = vocab.attr(id);
        String text = vocab.text(id);
        if ((attr & (Vocabulary.ATTR_CONTROL | Vocabulary.ATTR_UNKNOWN)) != 0) return new byte[0];
        if ((attr & Vocabulary.ATTR_USER_DEFINED) != 0) return text.getBytes(StandardCharsets.UTF_8);
        if ((attr & Vocabulary.ATTR_NORMAL) != 0) {
            return text.replace(SPACE_MARK, ' ').getBytes(StandardCharsets.UTF_8);
        }
        if ((attr & Vocabulary.ATTR_BYTE) != 0) {
            int b = parseByteToken(text);
            return b >= 0 ? new byte[] {(byte) b} : text.getBytes(StandardCharsets.UTF_8);
        }
        return new byte[0]; // unused / undefined tokens: no text, as llama.cpp
    }

    /** The byte of a {@code <0xNN>} token text, or -1. */
    static int parseByteToken(String text) {
        if (text.length() != 6 || !text.startsWith("<0x") || text.charAt(5) != '>') return -1;
        int hi = Character.digit(text.charAt(3), 16), lo = Character.digit(text.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    // ---------------------------------------------------------------- encode

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        IntList out = new IntList(Math.max(16, text.length() / 3));
        if (addBos) {
            if (vocab.bosId() < 0) throw new IllegalStateException("the vocabulary has no BOS token");
            out.add(vocab.bosId());
        }
        List<Vocabulary.Fragment> fragments = vocab.partition(text, parseSpecial);
        boolean prevSpecial = true; // the first fragment gets the space prefix
        Session session = null;
        for (Vocabulary.Fragment f : fragments) {
            if (f.isText()) {
                String raw = text.substring(f.start(), f.end());
                String s = (vocab.addSpacePrefix() && prevSpecial ? " " + raw : raw).replace(' ', SPACE_MARK);
                if (session == null) session = new Session();
                session.tokenize(s, out);
                prevSpecial = false;
            } else {
                out.add(f.token());
                prevSpecial = true;
            }
        }
        if (addBos && vocab.addEos() && vocab.eosId() >= 0) out.add(vocab.eosId());
        return out.toArray();
    }

    /** Working state of one encode: the symbol list and the bigram queue, reused across fragments. */
    private final class Session {
        private String text;
        private int[] start = new int[64], len = new int[64], prev = new int[64], next = new int[64];
        private int count;
        private final BigramQueue queue = new BigramQueue();

        void tokenize(String s, IntList out) {
            text = s;
            count = 0;
            int n = s.length();
            if (start.length < n) {
                int cap = Math.max(n, start.length * 2);
                start = new int[cap];
                len = new int[cap];
                prev = new int[cap];
                next = new int[cap];
            }
            // one symbol per code point
            for (int off = 0; off < n; ) {
                int cl = Character.isHighSurrogate(s.charAt(off)) && off + 1 < n
                        && Character.isLowSurrogate(s.charAt(off + 1)) ? 2 : 1;
                start[count] = off;
                len[count] = cl;
                prev[count] = count - 1;
                off += cl;
                next[count] = off == n ? -1 : count + 1;
                count++;
            }
            queue.clear();
            for (int i = 1; i < count; i++) tryAddBigram(i - 1, i);
            while (!queue.isEmpty()) {
                int left = queue.topLeft();
                int size = queue.topSize();
                queue.pop();
                int right = next[left];
                // stale entry: one side was merged since the pair was queued
                if (len[left] == 0 || right < 0 || len[right] == 0 || len[left] + len[right] != size) continue;
                len[left] += len[right];
                len[right] = 0;
                next[left] = next[right];
                if (next[right] >= 0) prev[next[right]] = left;
                tryAddBigram(prev[left], left);
                tryAddBigram(left, next[left]);
            }
            if (count == 0) return;
            for (int i = 0; i != -1; i = next[i]) resegment(i, out);
        }

        private void tryAddBigram(int left, int right) {
            if (left < 0 || right < 0) return;
            int size = len[left] + len[right];
            if (size > vocab.maxTextLength()) return;
            int id = vocab.id(text.substring(start[left], start[left] + size));
            if (id < 0) return;
            queue.push(vocab.score(id), left, size);
        }

        private void resegment(int sym, IntList out) {
            String piece = text.substring(start[sym], start[sym] + len[sym]);
            int id = vocab.id(piece);
            if (id >= 0) {
                out.add(id);
                return;
            }
            // Not a token (only single code points get here): fall back to byte tokens.
            for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                int t = byteTokens[b & 0xFF];
                if (t < 0) t = vocab.unkId();
                if (t < 0) {
                    throw new IllegalStateException("cannot encode " + describe(piece)
                            + ": it is not in the vocabulary, which has neither byte tokens nor an unknown token");
                }
                out.add(t);
            }
        }
    }

    private static String describe(String piece) {
        StringBuilder sb = new StringBuilder("'").append(piece).append("' (");
        piece.codePoints().forEach(cp -> sb.append(String.format("U+%04X ", cp)));
        sb.setLength(sb.length() - 1);
        return sb.append(')').toString();
    }

    /**
     * A binary max-heap of symbol pairs: highest score first, then lowest left index (as
     * llama.cpp's llm_bigram_spm comparator). The key packs the score (order-preserving int
     * bits) and the complemented left index into one long.
     */
    private static final class BigramQueue {
        private final LongIntMinHeap heap = new LongIntMinHeap();

        void clear() {
            heap.clear();
        }

        boolean isEmpty() {
            return heap.isEmpty();
        }

        int topLeft() {
            return (int) heap.topKey(); // the stored key is ~(ordered << 32 | ~left)
        }

        int topSize() {
            return heap.topValue();
        }

        /** Highest score first, then leftmost: the min-heap holds the complement of (score, ~left). */
        void push(float score, int left, int size) {
            int bits = Float.floatToIntBits(score == 0f ? 0f : score); // -0 == +0
            int ordered = bits ^ ((bits >> 31) & 0x7FFFFFFF);
            long key = ((long) ordered << 32) | (~left & 0xFFFFFFFFL);
            heap.push(~key, size);
        }

        void pop() {
            heap.pop();
        }
    }

    // ---------------------------------------------------------------- decode

    /** The bytes a token contributes when decoding (before any space-prefix removal). */
    private byte[] piece(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("token id " + id + " is out of range (vocabulary size " + pieces.length + ")");
        }
        return pieces[id];
    }

    /** The raw bytes of a token's text as decode produces them (no space-prefix removal). */
    public byte[] pieceBytes(int id) {
        return piece(id).clone();
    }

    /**
     * Tracks the leading-BOS skip and the one-time space-prefix removal; shared by
     * {@link #decode} and the streaming decoder so the two always agree.
     */
    private final class PieceCursor implements Utf8StreamingDecoder.PieceWriter {
        private boolean first = true;
        private boolean strip;

        PieceCursor(boolean stripLeadingSpace) {
            this.strip = stripLeadingSpace && vocab.addSpacePrefix();
        }

        /** Appends the bytes of {@code id} to {@code out}. */
        @Override
        public void append(int id, ByteBuf out) {
            byte[] p = piece(id);
            if (first) {
                first = false;
                if (id == vocab.bosId()) return; // BOS is skipped; the strip applies to the next token
            }
            int off = 0;
            if (strip) {
                strip = false;
                if (p.length > 0 && p[0] == ' ') off = 1;
            }
            out.add(p, off, p.length - off);
        }
    }

    @Override
    public String decode(int[] tokens) {
        return decode(tokens, true);
    }

    /**
     * Decodes; with {@code stripLeadingSpace} false the first piece keeps its leading space
     * (for tokens that continue earlier text, e.g. generated tokens after a prompt).
     */
    public String decode(int[] tokens, boolean stripLeadingSpace) {
        ByteBuf buf = new ByteBuf(tokens.length * 4 + 16);
        PieceCursor cursor = new PieceCursor(stripLeadingSpace);
        for (int t : tokens) cursor.append(t, buf);
        return new String(buf.a, 0, buf.n, StandardCharsets.UTF_8);
    }

    @Override
    public StreamingDecoder streamingDecoder() {
        return new Utf8StreamingDecoder(new PieceCursor(true));
    }

    @Override
    public StreamingDecoder continuationDecoder() {
        return new Utf8StreamingDecoder(new PieceCursor(false));
    }

    // ---------------------------------------------------------------- vocabulary

    public int unknownId() {
        return vocab.unkId();
    }

    /** {@code tokenizer.ggml.add_space_prefix} (default true). */
    public boolean addSpacePrefix() {
        return vocab.addSpacePrefix();
    }

    /** Whether the token is a byte-fallback token ({@code <0xNN>}). */
    public boolean isByte(int id) {
        return vocab.hasAttr(id, Vocabulary.ATTR_BYTE);
    }

    @Override
    public String toString() {
        return "SentencePieceTokenizer[" + vocab + "]";
    }
}
