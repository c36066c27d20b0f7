package dev.winnow.grammar;

import dev.winnow.SharedData;
import dev.winnow.gguf.GgufFile;
import dev.winnow.gguf.GgufWriter;
import dev.winnow.model.Model;
import dev.winnow.tokenizer.Tokenizer;
import dev.winnow.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Small synthetic llama models (random F32 weights) with the tokenizer of a real vocabulary file
 * from {@code ../shared/tokenizers}, for constrained-decoding tests on BPE and SentencePiece
 * vocabularies of real size.
 *
 * <p>A random model spreads its probability almost evenly over the whole vocabulary, so at
 * temperature 1 it would practically never close an unbounded string (one quote among 150 000
 * tokens). These models therefore carry a built-in preference for JSON punctuation: dimension 0
 * of the residual stream is a constant that no layer writes to, and the output matrix reads it
 * with a per-token weight that lifts the tokens made only of {@code " } ] , :} and space and the
 * end-of-generation tokens by about {@link #LIFT} nats. Every other token keeps its random logit,
 * so most sampled tokens are still arbitrary pieces of the vocabulary.
 */
final class VocabModels {
    static final float LIFT = 11f;
    private static final int DIM = 32, HEADS = 2, KV_HEADS = 1, FFN = 64, LAYERS = 1;
    private static final float CONSTANT = 8f;

    private VocabModels() {
    }

    /** Loads (writing it first, once per build) the synthetic model for {@code tokenizers/<name>}. */
    static Model load(String vocabFile) {
        Path vocab = SharedData.path("tokenizers/" + vocabFile);
        Path dir = Path.of("target", "grammar-models");
        Path out = dir.resolve(vocabFile.replace(".gguf", "") + "-synth.gguf");
        try {
            if (!Files.exists(out) || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(vocab)) < 0) {
                Files.createDirectories(dir);
                Path tmp = dir.resolve(out.getFileName() + ".tmp");
                write(tmp, vocab, 42);
                Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Model.load(out);
    }

    static void write(Path out, Path vocabFile, long seed) {
        Tokenizer tok;
        GgufWriter w = new GgufWriter();
        try (GgufFile v = GgufFile.open(vocabFile)) {
            tok = Tokenizers.fromGguf(v);
            for (String k : v.metadataKeys()) {
                if (k.startsWith("tokenizer.")) w.put(k, v.metadataTypes().get(k), v.get(k));
            }
        }
        int vocab = tok.vocabSize(), headSize = DIM / HEADS;
        w.putString("general.architecture", "llama").putString("general.name", "grammar-test " + vocabFile.getFileName());
        w.putUInt32("llama.embedding_length", DIM).putUInt32("llama.block_count", LAYERS)
                .putUInt32("llama.attention.head_count", HEADS).putUInt32("llama.attention.head_count_kv", KV_HEADS)
                .putUInt32("llama.feed_forward_length", FFN).putUInt32("llama.context_length", 4096)
                .putUInt32("llama.rope.dimension_count", headSize)
                .putFloat32("llama.rope.freq_base", 10000f).putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .putUInt32("llama.vocab_size", vocab);
        Random r = new Random(seed);
        float[] embd = gaussian(r, vocab * DIM, 1.0);
        for (int t = 0; t < vocab; t++) embd[t * DIM] = CONSTANT;
        w.addF32("token_embd.weight", new long[] {DIM, vocab}, embd);
        for (int l = 0; l < LAYERS; l++) {
            String p = "blk." + l + ".";
            w.addF32(p + "attn_norm.weight", new long[] {DIM}, ones(DIM));
            w.addF32(p + "attn_q.weight", new long[] {DIM, DIM}, gaussian(r, DIM * DIM, 1 / Math.sqrt(DIM)));
            w.addF32(p + "attn_k.weight", new long[] {DIM, KV_HEADS * headSize}, gaussian(r, KV_HEADS * headSize * DIM, 1 / Math.sqrt(DIM)));
            w.addF32(p + "attn_v.weight", new long[] {DIM, KV_HEADS * headSize}, gaussian(r, KV_HEADS * headSize * DIM, 1 / Math.sqrt(DIM)));
            float[] o = gaussian(r, DIM * DIM, 1 / Math.sqrt(DIM));
            java.util.Arrays.fill(o, 0, DIM, 0f); // row 0: nothing is written to the constant dimension
            w.addF32(p + "attn_output.weight", new long[] {DIM, DIM}, o);
            w.addF32(p + "ffn_norm.weight", new long[] {DIM}, ones(DIM));
            w.addF32(p + "ffn_gate.weight", new long[] {DIM, FFN}, gaussian(r, FFN * DIM, 1 / Math.sqrt(DIM)));
            w.addF32(p + "ffn_up.weight", new long[] {DIM, FFN}, gaussian(r, FFN * DIM, 1 / Math.sqrt(DIM)));
            float[] down = gaussian(r, DIM * FFN, 1 / Math.sqrt(FFN));
            java.util.Arrays.fill(down, 0, FFN, 0f);
            w.addF32(p + "ffn_down.weight", new long[] {FFN, DIM}, down);
        }
        w.addF32("output_norm.weight", new long[] {DIM}, ones(DIM));
        // After the final norm, dimension 0 is CONSTANT / rms(x) ≈ 4.5 (the rest has unit scale).
        float[] out2 = gaussian(r, vocab * DIM, 1 / Math.sqrt(DIM));
        TokenVocabulary tv = TokenVocabulary.of(tok);
        for (int t = 0; t < vocab; t++) out2[t * DIM] = lifted(tok, tv, t) ? LIFT / 4.5f : 0f;
        w.addF32("output.weight", new long[] {DIM, vocab}, out2);
        w.write(out);
    }

    /** JSON punctuation (only {@code " } ] , :} and spaces, at most 3 bytes) and end of generation. */
    static boolean lifted(Tokenizer tok, TokenVocabulary tv, int id) {
        if (tok.isEndOfGeneration(id)) return true;
        byte[] b = tv.bytes(id);
        if (b.length == 0 || b.length > 3) return false;
        for (byte c : b) if ("\"}],: ".indexOf(c) < 0) return false;
        return true;
    }

    private static float[] gaussian(Random r, int n, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * std);
        return a;
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }
}
