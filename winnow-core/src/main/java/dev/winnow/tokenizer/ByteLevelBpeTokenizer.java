package dev.winnow.tokenizer;

import dev.winnow.gguf.GgufArray;
import dev.winnow.gguf.GgufException;
import dev.winnow.gguf.GgufFile;
import dev.winnow.gguf.GgufValueType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The byte-level BPE tokenizer of GPT-2 and its descendants (llama.cpp's {@code llm_tokenizer_bpe}),
 * for GGUF files with {@code tokenizer.ggml.model = "gpt2"}: Llama 3, Qwen 2, GPT-2, DeepSeek,
 * StarCoder, Falcon, SmolLM, ….
 *
 * <p>Encoding follows llama.cpp: special tokens written in the text are split out first
 * ({@link Vocabulary#partition}: user-defined tokens always, control tokens when
 * {@code parseSpecial}); each text fragment is split into words by the model's
 * {@link PreTokenizer} ({@code tokenizer.ggml.pre}); each word's UTF-8 bytes become GPT-2's
 * printable stand-in characters (byte {@code 0x20} → {@code Ġ}, …) and are merged pairwise,
 * lowest {@code tokenizer.ggml.merges} rank first (ties: leftmost); each resulting piece is a
 * token. Pre-tokenizers that llama.cpp flags "ignore merges" (Llama 3) take a word that is a
 * token as a whole. Results are cached per word.
 *
 * <p>Decoding: normal tokens map their stand-in characters back to bytes, user-defined tokens
 * produce their text, control and unknown tokens produce nothing; the bytes are decoded as
 * UTF-8. llama.cpp's optional "clean up tokenization spaces" (which removes the space before
 * some punctuation and so does not round-trip) is not applied.
 *
 * <p>Instances are immutable apart from the word cache and thread-safe.
 */
public final class ByteLevelBpeTokenizer extends VocabularyTokenizer {
    static final String KEY_PRE = "tokenizer.ggml.pre";
    static final String KEY_MERGES = "tokenizer.ggml.merges";

    /** Byte → GPT-2 stand-in character ({@code bytes_to_unicode}). */
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Stand-in character → byte, -1 for characters that are not stand-ins. */
    private static final int[] CHAR_TO_BYTE = new int[0x180];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + extra++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    /** Words longer than this (in chars) are not cached. */
    private static final int CACHE_MAX_WORD = 128;
    /** The cache is emptied when it grows past this many words. */
    private static final int CACHE_MAX_ENTRIES = 1 << 16;

    private final PreTokenizer.Choice pre;
    /** Piece id of each byte's stand-in character: its token id, an id past the vocabulary, or -1. */
    private final int[] pieceOfByte = new int[256];
    /** Token of the one-byte text of each byte's stand-in (llama.cpp's fallback for pieces that are not tokens), or -1. */
    private final int[] fallbackOfByte = new int[256];
    /** (left piece, right piece) → merge rank. */
    private final LongIntMap ranks;
    /** Piece id that each merge rank produces. */
    private final int[] mergeResult;
    /** Decoded bytes of each token. */
    private final byte[][] pieces;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    ByteLevelBpeTokenizer(Vocabulary vocab, String[] merges, PreTokenizer.Choice pre) {
        super(vocab);
        this.pre = pre;
        int n = vocab.size();
        // Piece ids: tokens keep their id; strings that only occur in merges get ids from n on.
        Map<String, Integer> extraPieces = new HashMap<>();
        this.ranks = new LongIntMap(merges.length);
        this.mergeResult = new int[merges.length];
        for (int rank = 0; rank < merges.length; rank++) {
            String m = merges[rank];
            int sp = m == null || m.isEmpty() ? -1 : m.indexOf(' ', 1);
            if (sp < 0) {
                mergeResult[rank] = -1;
                continue;
            }
            String first = m.substring(0, sp), second = m.substring(sp + 1);
            int left = pieceId(first, extraPieces), right = pieceId(second, extraPieces);
            mergeResult[rank] = pieceId(first + second, extraPieces);
            ranks.putIfAbsent(pairKey(left, right), rank);
        }
        for (int b = 0; b < 256; b++) {
            String s = String.valueOf(BYTE_TO_CHAR[b]);
            int id = vocab.id(s);
            pieceOfByte[b] = id >= 0 ? id : extraPieces.getOrDefault(s, -1);
            fallbackOfByte[b] = BYTE_TO_CHAR[b] < 0x80 ? id : -1;
        }
        this.pieces = new byte[n][];
        for (int i = 0; i < n; i++) pieces[i] = decodePiece(i);
    }

    private int pieceId(String text, Map<String, Integer> extra) {
        int id = vocab.id(text);
        if (id >= 0) return id;
        return extra.computeIfAbsent(text, t -> vocab.size() + extra.size());
    }

    private static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    /**
     * Reads the tokenizer from a GGUF file's metadata (the file can be closed afterwards).
     * Requires {@code tokenizer.ggml.tokens} and {@code tokenizer.ggml.merges}; the
     * pre-tokenizer comes from {@code tokenizer.ggml.pre} ("default" when absent, as llama.cpp).
     *
     * @throws IllegalArgumentException when {@code tokenizer.ggml.pre} names an unsupported pre-tokenizer
     * @throws GgufException when required metadata is missing or malformed
     */
    public static ByteLevelBpeTokenizer fromGguf(GgufFile file) {
        String preName = file.findString(KEY_PRE).orElse("default");
        PreTokenizer.Choice choice = PreTokenizer.forName(preName);
        if (choice == null) {
            StringBuilder names = new StringBuilder();
            for (String s : PreTokenizer.supportedNames()) {
                if (!names.isEmpty()) names.append(", ");
                names.append('"').append(s).append('"');
            }
            throw new IllegalArgumentException(file.path() + ": unsupported pre-tokenizer '" + KEY_PRE + "' = \""
                    + preName + "\" (supported pre-tokenizers: " + names + ")");
        }
        if (!file.has(KEY_MERGES)) {
            throw new GgufException(file.path() + ": missing metadata '" + KEY_MERGES
                    + "' (the BPE merges a byte-level BPE tokenizer needs)");
        }
        GgufArray mergesArray = file.getArray(KEY_MERGES);
        if (mergesArray.elementType() != GgufValueType.STRING) {
            throw new GgufException(file.path() + ": metadata '" + KEY_MERGES
                    + "' should be an array of strings, found an array of " + mergesArray.elementType());
        }
        Vocabulary vocab = Vocabulary.fromGguf(file, Vocabulary.Config.bpeDefaults(choice.addBos()), false);
        return new ByteLevelBpeTokenizer(vocab, mergesArray.asStrings(), choice);
    }

    /** The {@code tokenizer.ggml.pre} value this tokenizer was built with. */
    public String preTokenizerName() {
        return pre.name();
    }

    public PreTokenizer preTokenizer() {
        return pre.preTokenizer();
    }

    // ---------------------------------------------------------------- encode

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        IntList out = new IntList(Math.max(16, text.length() / 3));
        if (addBos) {
            if (vocab.bosId() < 0) throw new IllegalStateException("the vocabulary has no BOS token");
            out.add(vocab.bosId());
        }
        Session session = null;
        for (Vocabulary.Fragment f : vocab.partition(text, parseSpecial)) {
            if (f.isText()) {
                if (session == null) session = new Session();
                session.tokenize(text.substring(f.start(), f.end()), out);
            } else {
                out.add(f.token());
            }
        }
        if (addBos && vocab.addEos() && vocab.eosId() >= 0) out.add(vocab.eosId());
        return out.toArray();
    }

    /** Working state of one encode: the symbol list and merge queue, reused across words. */
    private final class Session {
        private byte[] bytes;
        private int[] piece = new int[64], start = new int[64], len = new int[64], prev = new int[64], next = new int[64];
        private final MergeQueue queue = new MergeQueue();

        void tokenize(String fragment, IntList out) {
            int[] cps = PreTokenizer.codePoints(fragment);
            int[] words = pre.preTokenizer().split(cps);
            int at = 0;
            for (int wordLength : words) {
                int from = at;
                at += wordLength;
                String word = new String(cps, from, wordLength);
                boolean cacheable = word.length() <= CACHE_MAX_WORD;
                int[] cached = cacheable ? cache.get(word) : null;
                if (cached == null) {
                    int mark = out.size();
                    encodeWord(word, out);
                    if (cacheable) {
                        if (cache.size() >= CACHE_MAX_ENTRIES) cache.clear();
                        cache.put(word, out.toArray(mark));
                    }
                } else {
                    out.addAll(cached);
                }
            }
        }

        private void encodeWord(String word, IntList out) {
            byte[] utf8 = word.getBytes(StandardCharsets.UTF_8);
            int m = utf8.length;
            if (m == 0) return;
            if (pre.ignoreMerges()) {
                char[] chars = new char[m];
                for (int i = 0; i < m; i++) chars[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
                int id = vocab.id(new String(chars));
                if (id >= 0) {
                    out.add(id);
                    return;
                }
            }
            ensure(m);
            bytes = utf8;
            for (int i = 0; i < m; i++) {
                piece[i] = pieceOfByte[utf8[i] & 0xFF];
                start[i] = i;
                len[i] = 1;
                prev[i] = i - 1;
                next[i] = i + 1 < m ? i + 1 : -1;
            }
            queue.clear();
            for (int i = 1; i < m; i++) tryAdd(i - 1, i);
            while (!queue.isEmpty()) {
                int rank = queue.topRank(), left = queue.topLeft(), size = queue.topSize();
                queue.pop();
                int right = next[left];
                // stale entry: one side was merged since the pair was queued
                if (len[left] == 0 || right < 0 || len[right] == 0 || len[left] + len[right] != size) continue;
                piece[left] = mergeResult[rank];
                len[left] = size;
                len[right] = 0;
                next[left] = next[right];
                if (next[right] >= 0) prev[next[right]] = left;
                tryAdd(prev[left], left);
                tryAdd(left, next[left]);
            }
            int n = vocab.size();
            for (int i = 0; i != -1; i = next[i]) {
                int p = piece[i];
                if (p >= 0 && p < n) {
                    out.add(p);
                } else {
                    // Not a token: llama.cpp looks up each byte of the piece's text on its own, which
                    // only finds the one-byte (ASCII) stand-ins; the others are dropped.
                    for (int j = start[i]; j < start[i] + len[i]; j++) {
                        int t = fallbackOfByte[bytes[j] & 0xFF];
                        if (t >= 0) out.add(t);
                    }
                }
            }
        }

        private void tryAdd(int left, int right) {
            if (left < 0 || right < 0) return;
            int pl = piece[left], pr = piece[right];
            if (pl < 0 || pr < 0) return;
            int rank = ranks.get(pairKey(pl, pr));
            if (rank < 0) return;
            queue.push(rank, left, len[left] + len[right]);
        }

        private void ensure(int m) {
            if (piece.length >= m) return;
            int cap = Math.max(m, piece.length * 2);
            piece = new int[cap];
            start = new int[cap];
            len = new int[cap];
            prev = new int[cap];
            next = new int[cap];
        }
    }

    /** A binary min-heap of symbol pairs: lowest rank first, then lowest left index (llama.cpp's llm_bigram_bpe order). */
    private static final class MergeQueue {
        private final LongIntMinHeap heap = new LongIntMinHeap();

        void clear() {
            heap.clear();
        }

        boolean isEmpty() {
            return heap.isEmpty();
        }

        int topRank() {
            return (int) (heap.topKey() >>> 32);
        }

        int topLeft() {
            return (int) heap.topKey();
        }

        int topSize() {
            return heap.topValue();
        }

        /** Lowest rank first, then leftmost. */
        void push(int rank, int left, int size) {
            heap.push(((long) rank << 32) | (left & 0xFFFFFFFFL), size);
        }

        void pop() {
            heap.pop();
        }
    }

    /** An open-addressing map from non-negative long keys to non-negative ints (-1: absent). */
    private static final class LongIntMap {
        private final long[] keys;
        private final int[] values;
        private final int mask;

        LongIntMap(int expected) {
            int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
            keys = new long[cap];
            values = new int[cap];
            Arrays.fill(keys, -1L);
            mask = cap - 1;
        }

        private int slot(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 29)) & mask;
        }

        void putIfAbsent(long key, int value) {
            int i = slot(key);
            while (keys[i] != -1L) {
                if (keys[i] == key) return;
                i = (i + 1) & mask;
            }
            keys[i] = key;
            values[i] = value;
        }

        int get(long key) {
            int i = slot(key);
            while (keys[i] != -1L) {
                if (keys[i] == key) return values[i];
                i = (i + 1) & mask;
            }
            return -1;
        }
    }

    // ---------------------------------------------------------------- decode

    private byte[] decodePiece(int id) {
        int attr = vocab.attr(id);
        String text = vocab.text(id);
        if ((attr & (Vocabulary.ATTR_CONTROL | Vocabulary.ATTR_UNKNOWN)) != 0) return new byte[0];
        if ((attr & Vocabulary.ATTR_USER_DEFINED) != 0) return text.getBytes(StandardCharsets.UTF_8);
        if ((attr & Vocabulary.ATTR_NORMAL) != 0) return unmapBytes(text);
        if ((attr & Vocabulary.ATTR_BYTE) != 0) {
            int b = SentencePieceTokenizer.parseByteToken(text);
            return b >= 0 ? new byte[] {(byte) b} : text.getBytes(StandardCharsets.UTF_8);
        }
        return new byte[0]; // unused / undefined tokens: no text, as llama.cpp
    }

    /** Stand-in characters → bytes; a character that is not a stand-in contributes its own UTF-8 bytes. */
    static byte[] unmapBytes(String text) {
        ByteBuf out = new ByteBuf(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            int b = cp < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[cp] : -1;
            if (b >= 0) out.add(new byte[] {(byte) b});
            else out.add(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
        }
        return Arrays.copyOf(out.a, out.n);
    }

    /** GPT-2's stand-in text for bytes (e.g. {@code " hi"} → {@code "Ġhi"}). */
    static String mapBytes(byte[] bytes) {
        char[] c = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) c[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(c);
    }

    private byte[] piece(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("token id " + id + " is out of range (vocabulary size " + pieces.length + ")");
        }
        return pieces[id];
    }

    /** The raw bytes a token contributes to decoded text. */
    public byte[] pieceBytes(int id) {
        return piece(id).clone();
    }

    @Override
    public String decode(int[] tokens) {
        ByteBuf buf = new ByteBuf(tokens.length * 4 + 16);
        for (int t : tokens) buf.add(piece(t));
        return new String(buf.a, 0, buf.n, StandardCharsets.UTF_8);
    }

    @Override
    public StreamingDecoder streamingDecoder() {
        return new Utf8StreamingDecoder((id, out) -> out.add(piece(id)));
    }

    // ---------------------------------------------------------------- vocabulary

    /** The words the pre-tokenizer splits {@code text} into (each is merged on its own), for diagnostics. */
    public List<String> preTokenize(String text) {
        return pre.preTokenizer().split(text);
    }

    @Override
    public String toString() {
        return "ByteLevelBpeTokenizer[pre=" + pre.name() + ", " + vocab + "]";
    }
}
