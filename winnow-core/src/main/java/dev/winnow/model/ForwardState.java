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
    /** The partial softmaxes of a decoding step's attention chunks ({@link GroupedAttention#decode}). */
    private float[] attentionPartials = new float[0];
    /** Q and attention-output rows of one sequence of a {@link SequenceBatch} that does not start at row 0. */
    private ForwardState attentionScratch;

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

    /** Buffers for the attention of {@code n} rows only (q and att; the others are empty). */
    private ForwardState(ModelConfig c, int n, boolean attentionOnly) {
        this.config = c;
        this.capacity = n;
        float[] none = new float[0];
        x = xb = k = v = hb = hb2 = cos = sin = none;
        q = new float[n * c.qDim()];
        att = new float[n * c.qDim()];
    }

    ForwardState attentionScratch(int n) {
        if (attentionScratch == null || attentionScratch.capacity < n) attentionScratch = new ForwardState(config, n, true);
        return attentionScratch;
    }

    /** Most tokens one forward pass can take with these buffers. */
    public int capacity() {
        return capacity;
    }

    float[] attentionPartials(int n) {
        if (attentionPartials.length < n) attentionPartials = new float[Math.max(n, attentionPartials.length * 2)];
        return attentionPartials;
    }

    float[] logits(int n) {
        if (logits.length < n) logits = new float[n];
        return logits;
    }
}
