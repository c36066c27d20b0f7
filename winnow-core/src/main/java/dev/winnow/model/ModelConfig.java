package dev.winnow.model;

import dev.winnow.gguf.GgufFile;

/**
 * The hyper-parameters of a model, read from GGUF metadata ({@code <arch>.*} keys).
 *
 * @param contextLength the context the model was trained for ({@code <arch>.context_length})
 * @param ropeDimensions how many dimensions of each head are rotated
 * @param ropeScaling how RoPE is scaled past the trained context (linear, YaRN, llama3)
 */
public record ModelConfig(
        Architecture architecture,
        String name,
        int dim,
        int layers,
        int heads,
        int kvHeads,
        int headSize,
        int ffnDim,
        int vocabSize,
        int contextLength,
        float rmsEps,
        float ropeTheta,
        int ropeDimensions,
        RopeScaling ropeScaling) {

    /** Reads the configuration; the vocabulary size is the row count of {@code token_embd.weight}. */
    public static ModelConfig fromGguf(GgufFile f) {
        String archName = f.findString("general.architecture")
                .orElseThrow(() -> new ModelException(f.path() + ": missing metadata 'general.architecture'"));
        Architecture arch = Architecture.fromGguf(archName, f.path());
        String p = archName + ".";
        int dim = require(f, p + "embedding_length");
        int heads = require(f, p + "attention.head_count");
        int kvHeads = f.getInt(p + "attention.head_count_kv", heads);
        int headSize = f.getInt(p + "attention.key_length", heads > 0 ? dim / heads : 0);
        int layers = require(f, p + "block_count");
        int ffn = require(f, p + "feed_forward_length");
        int ctx = require(f, p + "context_length");
        float eps = f.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f);
        float theta = f.getFloat(p + "rope.freq_base", 10000f);
        int ropeDims = f.getInt(p + "rope.dimension_count", headSize);
        int vocabSize = (int) f.tensor("token_embd.weight").dim(1);
        RopeScaling scaling = RopeScaling.fromGguf(f, archName, ctx);
        String name = f.findString("general.name").orElse(f.path().getFileName().toString());
        ModelConfig c = new ModelConfig(arch, name, dim, layers, heads, kvHeads, headSize, ffn, vocabSize, ctx, eps,
                theta, ropeDims, scaling);
        c.validate(f);
        return c;
    }

    private static int require(GgufFile f, String key) {
        if (!f.has(key)) throw new ModelException(f.path() + ": missing metadata '" + key + "'");
        return f.getInt(key);
    }

    private void validate(GgufFile f) {
        check(f, dim > 0 && layers > 0 && heads > 0 && kvHeads > 0 && headSize > 0 && ffnDim > 0,
                "dimensions must be positive");
        check(f, heads % kvHeads == 0, "head_count " + heads + " is not a multiple of head_count_kv " + kvHeads);
        check(f, ropeDimensions % 2 == 0 && ropeDimensions <= headSize,
                "rope.dimension_count " + ropeDimensions + " must be even and at most the head size " + headSize);
        check(f, contextLength > 0, "context_length must be positive");
    }

    private static void check(GgufFile f, boolean ok, String msg) {
        if (!ok) throw new ModelException(f.path() + ": invalid model metadata: " + msg);
    }

    /** Query heads per KV head (GQA group size). */
    public int groupSize() {
        return heads / kvHeads;
    }

    public int qDim() {
        return heads * headSize;
    }

    public int kvDim() {
        return kvHeads * headSize;
    }

    /** Bytes of KV cache per token with f32 entries (keys + values, all layers). */
    public long kvBytesPerTokenF32() {
        return 2L * layers * kvDim() * Float.BYTES;
    }
}
