package dev.winnow.model;

/**
 * Activation buffers for a forward pass over up to {@link #capacity()} tokens, reused across
 * calls so decoding does not allocate per step. Not thread-safe: one per session.
 */
public final class ForwardState {
    final ModelConfig config;
    final int capacity;
    final float[] x, xb, q, k, v, att, hb, hb2;
    final float[] cos, sin;
    float[] logits = new float[0];

    public ForwardState(ModelConfig c, int capacity) {
        this.config = c;
        this.capacity = capacity;
        x = new float[capacity * c.dim()];
        xb = new float[capacity * c.dim()];
        q = new float[capacity * c.qDim()];
        k = new float[capacity * c.kvDim()];
        v = new float[capacity * c.kvDim()];
        att = new float[capacity * c.qDim()];
        hb = new float[capacity * c.ffnDim()];
        hb2 = new float[capacity * c.ffnDim()];
        cos = new float[c.ropeDimensions() / 2];
        sin = new float[c.ropeDimensions() / 2];
    }

    /** Most tokens one forward pass can take with these buffers. */
    public int capacity() {
        return capacity;
    }

    float[] logits(int n) {
        if (logits.length < n) logits = new float[n];
        return logits;
    }
}
