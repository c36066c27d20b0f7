package dev.winnow.model;

/**
 * The weights of one transformer block. Optional parts are null when the model has none:
 * Q/K/V biases (qwen2) and the per-head Q/K norms applied before RoPE (qwen3).
 */
public record LayerWeights(
        float[] attnNorm,
        Matrix wq, Matrix wk, Matrix wv, Matrix wo,
        float[] bq, float[] bk, float[] bv,
        float[] qNorm, float[] kNorm,
        float[] ffnNorm,
        Matrix wGate, Matrix wUp, Matrix wDown) {
}
