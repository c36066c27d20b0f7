package dev.winnow.model;

/** The weights of one transformer block; biases are null when the architecture has none. */
public record LayerWeights(
        float[] attnNorm,
        Matrix wq, Matrix wk, Matrix wv, Matrix wo,
        float[] bq, float[] bk, float[] bv,
        float[] ffnNorm,
        Matrix wGate, Matrix wUp, Matrix wDown) {
}
