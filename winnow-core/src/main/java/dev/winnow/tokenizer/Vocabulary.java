package dev.winnow.tokenizer;

import dev.winnow.gguf.GgufArray;
import dev.winnow.gguf.GgufException;
import dev.winnow.gguf.GgufFile;
import dev.winnow.gguf.GgufValueType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A tokenizer vocabulary as llama.cpp loads it from GGUF metadata: token texts, scores, token
 * attributes, the special token ids, the end-of-generation set and the special-token
 * pre-split ({@link #partition}). Shared by the tokenizer implementations of this package; it
 * holds plain Java arrays (no reference to the GGUF file).
 */
final class Vocabulary {
    // GGUF keys
    static final String KEY_MODEL = "tokenizer.ggml.model";
    static final String KEY_TOKENS = "tokenizer.ggml.tokens";
    static final String KEY_SCORES = "tokenizer.ggml.scores";
    static final String KEY_TOKEN_TYPE = "tokenizer.ggml.token_type";
    static final String KEY_BOS = "tokenizer.ggml.bos_token_id";
    static final String KEY_EOS = "tokenizer.ggml.eos_token_id";
    static final String KEY_EOT = "tokenizer.ggml.eot_token_id";
    static final String KEY_EOM = "tokenizer.ggml.eom_token_id";
    static final String KEY_UNK = "tokenizer.ggml.unknown_token_id";
    static final String KEY_PAD = "tokenizer.ggml.padding_token_id";
    static final String KEY_FIM_PAD = "tokenizer.ggml.fim_pad_token_id";
    static final String KEY_FIM_REP = "tokenizer.ggml.fim_rep_token_id";
    static final String KEY_FIM_SEP = "tokenizer.ggml.fim_sep_token_id";
    static final String KEY_ADD_BOS = "tokenizer.ggml.add_bos_token";
    static final String KEY_ADD_EOS = "tokenizer.ggml.add_eos_token";
    static final String KEY_ADD_SPACE_PREFIX = "tokenizer.ggml.add_space_prefix";
    static final String KEY_NAME = "general.name";

    // tokenizer.ggml.token_type values
    static final int TYPE_UNDEFINED = 0;
    static final int TYPE_NORMAL = 1;
    static final int TYPE_UNKNOWN = 2;
    static final int TYPE_CONTROL = 3;
    static final int TYPE_USER_DEFINED = 4;
    static final int TYPE_UNUSED = 5;
    static final int TYPE_BYTE = 6;

    // token attributes: bit flags as llama.cpp's llama_token_attr
    static final int ATTR_UNDEFINED = 0;
    static final int ATTR_UNKNOWN = 1;
    static final int ATTR_UNUSED = 1 << 1;
    static final int ATTR_NORMAL = 1 << 2;
    static final int ATTR_CONTROL = 1 << 3;
    static final int ATTR_USER_DEFINED = 1 << 4;
    static final int ATTR_BYTE = 1 << 5;
    static final int ATTR_LSTRIP = 1 << 7;
    static final int ATTR_RSTRIP = 1 << 8;

    // Token texts llama.cpp recognises (its load(): "auto-detect special tokens by text").
    private static final List<String> EOT_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>");
    private static final List<String> EOM_TEXTS = List.of("<|eom_id|>");
    private static final List<String> FIM_PRE_TEXTS = List.of("<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>",
            "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>");
    private static final List<String> FIM_SUF_TEXTS = List.of("<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
            "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>");
    private static final List<String> FIM_MID_TEXTS = List.of("<|fim_middle|>", "<fim-middle>", "<fim_middle>",
            "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>");
    private static final List<String> FIM_PAD_TEXTS = List.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]");
    private static final List<String> FIM_REP_TEXTS = List.of("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>",
            "<reponame>");
    private static final List<String> FIM_SEP_TEXTS = List.of("<|file_sep|>");
    private static final List<String> EOG_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>",
            "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>",
            "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>",
            "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[");

    /**
     * Special ids and flags. Ids are -1 when absent. Used both as the per-model defaults before
     * the GGUF metadata is applied and as the final values.
     */
    record Config(int bosId, int eosId, int unkId, int padId, int eotId, int eomId,
                  boolean addBos, boolean addEos, boolean addSpacePrefix, String modelName) {
        /** llama.cpp's defaults for tokenizer.ggml.model = "llama" (SentencePiece). */
        static Config spmDefaults() {
            return new Config(1, 2, 0, -1, -1, -1, true, false, true, "");
        }

        /**
         * llama.cpp's defaults for tokenizer.ggml.model = "gpt2" (byte-level BPE): BOS and EOS 11,
         * no unknown token, no space prefix; {@code addBos} depends on the pre-tokenizer.
         */
        static Config bpeDefaults(boolean addBos) {
            return new Config(11, 11, -1, -1, -1, -1, addBos, false, false, "");
        }
    }

    /** One piece of the input after the special-token split: a token, or a range of raw text. */
    record Fragment(int token, int start, int end) {
        boolean isText() {
            return token < 0;
        }
    }

    private final String[] texts;
    private final float[] scores;
    private final int[] attrs;
    private final Map<String, Integer> ids;
    private final int maxTextLength; // in UTF-16 chars
    private final int bosId, eosId, unkId, padId, eotId, eomId;
    private final boolean addBos, addEos, addSpacePrefix;
    private final boolean[] eog;
    /** Control, user-defined and unknown tokens, longest (UTF-8 bytes) first: candidates for {@link #partition}. */
    private final int[] specialTokens;

    /**
     * Builds a vocabulary. {@code scores} and {@code tokenTypes} may be null (0 and NORMAL).
     * Special ids in {@code config} that are out of range are dropped (-1).
     */
    Vocabulary(String[] tokens, float[] scores, int[] tokenTypes, Config config) {
        int n = tokens.length;
        if (scores != null && scores.length < n) {
            throw new IllegalArgumentException("'" + KEY_SCORES + "' has " + scores.length + " entries for " + n + " tokens");
        }
        if (tokenTypes != null && tokenTypes.length < n) {
            throw new IllegalArgumentException("'" + KEY_TOKEN_TYPE + "' has " + tokenTypes.length + " entries for " + n + " tokens");
        }
        this.texts = new String[n];
        this.scores = new float[n];
        this.attrs = new int[n];
        this.ids = new HashMap<>(n * 2);
        int maxLen = 0;
        for (int i = 0; i < n; i++) {
            String t = tokens[i];
            if (t == null || t.isEmpty()) t = "[EMPTY_" + i + "]"; // as llama.cpp
            texts[i] = t;
            this.scores[i] = scores == null ? 0f : scores[i];
            attrs[i] = tokenTypes == null ? ATTR_NORMAL : attrOf(tokenTypes[i]);
            Integer prev = ids.putIfAbsent(t, i);
            if (prev != null) {
                throw new IllegalArgumentException("duplicate token in vocabulary: '" + t + "' has ids " + prev + " and " + i);
            }
            maxLen = Math.max(maxLen, t.length());
        }
        this.maxTextLength = maxLen;
        this.bosId = inRange(config.bosId(), n);
        this.eosId = inRange(config.eosId(), n);
        this.unkId = inRange(config.unkId(), n);
        this.padId = inRange(config.padId(), n);
        this.addBos = config.addBos();
        this.addEos = config.addEos();
        this.addSpacePrefix = config.addSpacePrefix();

        // Auto-detect special tokens by text (llama.cpp does the same); detected tokens become control tokens.
        int eot = detect(inRange(config.eotId(), n), EOT_TEXTS);
        int eom = detect(inRange(config.eomId(), n), EOM_TEXTS);
        detect(-1, FIM_PRE_TEXTS);
        detect(-1, FIM_SUF_TEXTS);
        detect(-1, FIM_MID_TEXTS);
        int fimPad = detect(-1, FIM_PAD_TEXTS);
        int fimRep = detect(-1, FIM_REP_TEXTS);
        int fimSep = detect(-1, FIM_SEP_TEXTS);
        this.eotId = eot;
        this.eomId = eom;

        // Control tokens whose text says "unused" are unused.
        for (int i = 0; i < n; i++) {
            if ((attrs[i] & ATTR_CONTROL) != 0 && texts[i].contains("unused")) attrs[i] |= ATTR_UNUSED;
        }

        // End-of-generation set.
        this.eog = new boolean[n];
        for (int id : new int[] {fimPad, fimRep, fimSep}) {
            if (id >= 0) eog[id] = true;
        }
        for (String t : EOG_TEXTS) {
            Integer id = ids.get(t);
            if (id != null) {
                eog[id] = true;
                attrs[id] |= ATTR_CONTROL;
            }
        }
        // gpt-oss: these are always rendered.
        for (String t : List.of("<|channel|>", "<|message|>", "<|start|>", "<|constrain|>")) {
            Integer id = ids.get(t);
            if (id != null) attrs[id] = ATTR_USER_DEFINED;
        }
        for (int id : new int[] {eosId, eotId, eomId}) {
            if (id >= 0) eog[id] = true;
        }
        // o200k_harmony / solar-open: "<|end|>" is not an end of generation there.
        boolean hasReturn = eogHas("<|return|>"), hasCall = eogHas("<|call|>") || eogHas("<|calls|>");
        boolean hasFlush = eogHas("<|flush|>");
        if (eogHas("<|end|>") && ((hasReturn && hasCall) || (hasCall && hasFlush))) {
            int end = ids.get("<|end|>");
            eog[end] = false;
            attrs[end] = ATTR_USER_DEFINED;
        }
        // gemma4 / paddleocr: "</s>" is not an end of generation there.
        if (eogHas("<|tool_response>") && eogHas("</s>")) {
            int s = ids.get("</s>");
            eog[s] = false;
            attrs[s] = ATTR_NORMAL;
        }

        // The special-token cache for the pre-split: longest text first (ties: lower id first).
        List<Integer> special = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if ((attrs[i] & (ATTR_CONTROL | ATTR_USER_DEFINED | ATTR_UNKNOWN)) != 0) special.add(i);
        }
        int[] utf8Len = new int[n];
        for (int id : special) utf8Len[id] = texts[id].getBytes(StandardCharsets.UTF_8).length;
        special.sort(Comparator.<Integer>comparingInt(id -> -utf8Len[id]).thenComparingInt(id -> id));
        this.specialTokens = special.stream().mapToInt(Integer::intValue).toArray();

        // Per-model attributes (llama.cpp sets these by general.name).
        String name = config.modelName() == null ? "" : config.modelName().toLowerCase(Locale.ROOT);
        if (name.contains("phi-3") || name.contains("phi3")) {
            for (int id : specialTokens) attrs[id] |= ATTR_RSTRIP;
            setAttr("</s>", ATTR_RSTRIP, true);
            for (String t : List.of("<unk>", "<s>", "<|endoftext|>")) setAttr(t, ATTR_RSTRIP, false);
        }
    }

    /** Reads the vocabulary of a GGUF file; {@code defaults} are the model type's defaults. */
    static Vocabulary fromGguf(GgufFile file, Config defaults, boolean requireScores) {
        String[] tokens = strings(file, KEY_TOKENS);
        int n = tokens.length;
        float[] scores = null;
        if (file.has(KEY_SCORES)) {
            scores = floats(file, KEY_SCORES);
        } else if (requireScores) {
            throw new GgufException(file.path() + ": missing metadata '" + KEY_SCORES
                    + "' (the token scores a SentencePiece tokenizer needs)");
        }
        int[] types = file.has(KEY_TOKEN_TYPE) ? ints(file, KEY_TOKEN_TYPE) : null;
        if (scores != null && scores.length < n) {
            throw new GgufException(file.path() + ": metadata '" + KEY_SCORES + "' has " + scores.length
                    + " entries but '" + KEY_TOKENS + "' has " + n);
        }
        if (types != null && types.length < n) {
            throw new GgufException(file.path() + ": metadata '" + KEY_TOKEN_TYPE + "' has " + types.length
                    + " entries but '" + KEY_TOKENS + "' has " + n);
        }
        Config c = new Config(
                id(file, KEY_BOS, defaults.bosId(), n),
                id(file, KEY_EOS, defaults.eosId(), n),
                id(file, KEY_UNK, defaults.unkId(), n),
                id(file, KEY_PAD, defaults.padId(), n),
                id(file, KEY_EOT, defaults.eotId(), n),
                id(file, KEY_EOM, defaults.eomId(), n),
                file.getBoolean(KEY_ADD_BOS, defaults.addBos()),
                file.getBoolean(KEY_ADD_EOS, defaults.addEos()),
                file.getBoolean(KEY_ADD_SPACE_PREFIX, defaults.addSpacePrefix()),
                file.findString(KEY_NAME).orElse(""));
        try {
            return new Vocabulary(tokens, scores, types, c);
        } catch (IllegalArgumentException e) {
            throw new GgufException(file.path() + ": " + e.getMessage(), e);
        }
    }

    private static String[] strings(GgufFile file, String key) {
        GgufArray a = file.getArray(key);
        if (a.elementType() != GgufValueType.STRING) {
            throw new GgufException(file.path() + ": metadata '" + key + "' should be an array of strings, found an array of "
                    + a.elementType());
        }
        return a.asStrings();
    }

    private static float[] floats(GgufFile file, String key) {
        GgufArray a = file.getArray(key);
        return switch (a.elementType()) {
            case FLOAT32, FLOAT64 -> a.asFloats();
            case INT8, UINT8, INT16, UINT16, INT32, UINT32 -> {
                int[] v = a.asInts();
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) f[i] = v[i];
                yield f;
            }
            default -> throw new GgufException(file.path() + ": metadata '" + key
                    + "' should be an array of numbers, found an array of " + a.elementType());
        };
    }

    private static int[] ints(GgufFile file, String key) {
        GgufArray a = file.getArray(key);
        try {
            return a.asInts();
        } catch (RuntimeException e) {
            throw new GgufException(file.path() + ": metadata '" + key
                    + "' should be an array of integers, found an array of " + a.elementType(), e);
        }
    }

    /** A special id from metadata; out-of-range values (e.g. uint32 -1 for "none") keep the default, as llama.cpp. */
    private static int id(GgufFile file, String key, int defaultId, int n) {
        if (!file.has(key)) return defaultId;
        long v = file.getLong(key);
        return v >= 0 && v < n ? (int) v : defaultId;
    }

    private static int inRange(int id, int n) {
        return id >= 0 && id < n ? id : -1;
    }

    private static int attrOf(int type) {
        return switch (type) {
            case TYPE_NORMAL -> ATTR_NORMAL;
            case TYPE_UNKNOWN -> ATTR_UNKNOWN;
            case TYPE_CONTROL -> ATTR_CONTROL;
            case TYPE_USER_DEFINED -> ATTR_USER_DEFINED;
            case TYPE_UNUSED -> ATTR_UNUSED;
            case TYPE_BYTE -> ATTR_BYTE;
            default -> ATTR_UNDEFINED;
        };
    }

    /** Keeps {@code current} if set, else the first token (in list order) with one of the texts; marks it control. */
    private int detect(int current, List<String> candidates) {
        int found = current;
        if (found < 0) {
            for (String t : candidates) {
                Integer id = ids.get(t);
                if (id != null) {
                    found = id;
                    break;
                }
            }
            if (found >= 0) attrs[found] |= ATTR_CONTROL;
        }
        return found;
    }

    private boolean eogHas(String text) {
        Integer id = ids.get(text);
        return id != null && eog[id];
    }

    private void setAttr(String text, int attr, boolean value) {
        Integer id = ids.get(text);
        if (id == null) return;
        attrs[id] = value ? attrs[id] | attr : attrs[id] & ~attr;
    }

    int size() {
        return texts.length;
    }

    String text(int id) {
        return texts[id];
    }

    float score(int id) {
        return scores[id];
    }

    int attr(int id) {
        return attrs[id];
    }

    boolean hasAttr(int id, int attr) {
        return id >= 0 && id < attrs.length && (attrs[id] & attr) != 0;
    }

    /** The id of the token with exactly this text, or -1. */
    int id(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    /** The longest token text in UTF-16 chars. */
    int maxTextLength() {
        return maxTextLength;
    }

    int bosId() {
        return bosId;
    }

    int eosId() {
        return eosId;
    }

    int unkId() {
        return unkId;
    }

    int padId() {
        return padId;
    }

    int eotId() {
        return eotId;
    }

    int eomId() {
        return eomId;
    }

    boolean addBos() {
        return addBos;
    }

    boolean addEos() {
        return addEos;
    }

    boolean addSpacePrefix() {
        return addSpacePrefix;
    }

    boolean isEog(int id) {
        return id >= 0 && id < eog.length && eog[id];
    }

    int[] eogIds() {
        int count = 0;
        for (boolean b : eog) if (b) count++;
        int[] out = new int[count];
        for (int i = 0, k = 0; i < eog.length; i++) if (eog[i]) out[k++] = i;
        return out;
    }

    /**
     * Splits {@code text} at special tokens written in it, as llama.cpp's tokenizer_st_partition:
     * for each special token, longest first, every occurrence in the remaining text fragments
     * becomes a token fragment. User-defined tokens are always split out; control and unknown
     * tokens only when {@code parseSpecial}. Tokens with the LSTRIP/RSTRIP attribute eat the
     * ASCII whitespace before/after them.
     */
    List<Fragment> partition(String text, boolean parseSpecial) {
        List<Fragment> frags = new ArrayList<>();
        if (text.isEmpty()) return frags;
        frags.add(new Fragment(-1, 0, text.length()));
        // For long texts, the chars present let most special tokens be rejected without a scan.
        long[] present = text.length() >= 1024 ? charSet(text) : null;
        for (int id : specialTokens) {
            int attr = attrs[id];
            if (!parseSpecial && (attr & (ATTR_CONTROL | ATTR_UNKNOWN)) != 0) continue;
            String tok = texts[id];
            if (present != null && !allIn(tok, present)) continue;
            int hit = text.indexOf(tok); // the first occurrence at or after the fragment being searched
            if (hit < 0) continue; // cheap rejection: most special tokens never occur
            List<Fragment> next = new ArrayList<>(frags.size() + 4);
            for (Fragment f : frags) {
                if (!f.isText()) {
                    next.add(f);
                    continue;
                }
                int start = f.start(), end = f.end();
                while (start < end) {
                    // fragments come in text order, so a hit at or after start is still the next one:
                    // search again only when it is behind (keeps the whole pass linear in the text)
                    if (hit >= 0 && hit < start) hit = text.indexOf(tok, start);
                    int match = hit;
                    if (match < 0 || match + tok.length() > end) break;
                    int leftEnd = match;
                    if ((attr & ATTR_LSTRIP) != 0) {
                        while (leftEnd > start && isSpace(text.charAt(leftEnd - 1))) leftEnd--;
                    }
                    if (leftEnd > start) next.add(new Fragment(-1, start, leftEnd));
                    next.add(new Fragment(id, match, match + tok.length()));
                    start = match + tok.length();
                    if ((attr & ATTR_RSTRIP) != 0) {
                        while (start < end && isSpace(text.charAt(start))) start++;
                    }
                }
                if (start < end) next.add(new Fragment(-1, start, end));
            }
            frags = next;
        }
        return frags;
    }

    /** The set of UTF-16 chars in {@code s}, as 65536 bits. */
    private static long[] charSet(String s) {
        long[] bits = new long[1 << 10];
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            bits[c >>> 6] |= 1L << c;
        }
        return bits;
    }

    private static boolean allIn(String s, long[] bits) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((bits[c >>> 6] & (1L << c)) == 0) return false;
        }
        return true;
    }

    /** C's isspace() in the "C" locale. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    @Override
    public String toString() {
        return "Vocabulary[" + texts.length + " tokens, bos=" + bosId + ", eos=" + eosId + ", eog="
                + Arrays.toString(eogIds()) + "]";
    }
}
