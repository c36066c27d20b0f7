package dev.winnow.model;

import dev.winnow.gguf.GgufFile;
import dev.winnow.gguf.GgufTensorInfo;
import dev.winnow.tensor.FloatTensor;
import dev.winnow.tensor.UnsupportedTensorTypeException;
import java.util.Arrays;

/**
 * All weights of a model, as views of the memory-mapped file (matrices stay encoded and are
 * never copied to the heap; small vectors such as norms are decoded to float arrays).
 */
public record Weights(
        Matrix tokenEmbedding,
        LayerWeights[] layers,
        float[] outputNorm,
        Matrix output,
        boolean tiedOutput,
        float[] ropeFreqFactors) {

    public static Weights load(GgufFile f, ModelConfig c) {
        Matrix embd = matrix(f, "token_embd.weight", c.vocabSize(), c.dim());
        LayerWeights[] layers = new LayerWeights[c.layers()];
        for (int l = 0; l < c.layers(); l++) {
            String p = "blk." + l + ".";
            layers[l] = new LayerWeights(
                    vector(f, p + "attn_norm.weight", c.dim()),
                    matrix(f, p + "attn_q.weight", c.qDim(), c.dim()),
                    matrix(f, p + "attn_k.weight", c.kvDim(), c.dim()),
                    matrix(f, p + "attn_v.weight", c.kvDim(), c.dim()),
                    matrix(f, p + "attn_output.weight", c.dim(), c.qDim()),
                    optionalVector(f, p + "attn_q.bias", c.qDim()),
                    optionalVector(f, p + "attn_k.bias", c.kvDim()),
                    optionalVector(f, p + "attn_v.bias", c.kvDim()),
                    optionalVector(f, p + "attn_q_norm.weight", c.headSize()),
                    optionalVector(f, p + "attn_k_norm.weight", c.headSize()),
                    vector(f, p + "ffn_norm.weight", c.dim()),
                    matrix(f, p + "ffn_gate.weight", c.ffnDim(), c.dim()),
                    matrix(f, p + "ffn_up.weight", c.ffnDim(), c.dim()),
                    matrix(f, p + "ffn_down.weight", c.dim(), c.ffnDim()));
        }
        float[] outNorm = vector(f, "output_norm.weight", c.dim());
        boolean tied = f.findTensor("output.weight").isEmpty();
        Matrix output = tied ? embd : matrix(f, "output.weight", c.vocabSize(), c.dim());
        float[] freqs = optionalVector(f, "rope_freqs.weight", c.ropeDimensions() / 2);
        return new Weights(embd, layers, outNorm, output, tied, freqs);
    }

    static Matrix matrix(GgufFile f, String name, int rows, int cols) {
        GgufTensorInfo t = f.tensor(name);
        if (t.rank() > 2 || t.dim(0) != cols || t.dim(1) != rows) {
            throw new ModelException(f.path() + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected [" + cols + ", " + rows + "]");
        }
        return new Matrix(name, tensor(f, t), rows, cols);
    }

    static float[] vector(GgufFile f, String name, int n) {
        GgufTensorInfo t = f.tensor(name);
        if (t.elementCount() != n) {
            throw new ModelException(f.path() + ": tensor '" + name + "' has " + t.elementCount()
                    + " values, expected " + n);
        }
        return tensor(f, t).toFloatArray();
    }

    static float[] optionalVector(GgufFile f, String name, int n) {
        return f.findTensor(name).isPresent() ? vector(f, name, n) : null;
    }

    private static FloatTensor tensor(GgufFile f, GgufTensorInfo t) {
        try {
            return FloatTensor.of(t.type(), f.tensorData(t), t.elementCount());
        } catch (UnsupportedTensorTypeException e) {
            throw new ModelException(f.path() + ": tensor '" + t.name() + "': " + e.getMessage(), e);
        }
    }

    /** Bytes of all weight matrices read for one token (embedding row excluded). */
    public long bytesPerToken() {
        long b = output.bytes();
        for (LayerWeights l : layers) {
            b += l.wq().bytes() + l.wk().bytes() + l.wv().bytes() + l.wo().bytes()
                    + l.wGate().bytes() + l.wUp().bytes() + l.wDown().bytes();
        }
        return b;
    }
}
