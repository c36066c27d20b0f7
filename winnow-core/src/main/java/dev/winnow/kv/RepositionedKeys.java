package dev.winnow.kv;

import dev.winnow.kv.codec.VectorStore;
import dev.winnow.tensor.FloatTensor;
import java.util.Arrays;

/**
 * Keys in a lossy encoding that StreamingLLM re-positions: each key stays encoded once, at the
 * rotation it was stored with, and the store keeps the exact position difference to apply when
 * the key is read ({@link #get}, {@link #dots}). Re-rotating and re-encoding the key at every
 * step instead would compound the codec's rounding (one re-encoding per step: after 1,000 steps
 * int8 keys were ~90 % off, int4 keys overflowed). RoPE rotations compose additively, so one
 * rotation by the summed difference is the rotation to the new position; the error stays the
 * single encoding's. Costs one int per entry and a decode + rotation per key read, only for
 * re-positioned lossy keys (f32 keys are re-rotated in place, exactly). Subsets ({@code dotsAt},
 * {@code accumulateAt}) use the interface's defaults, which read through {@link #get}.
 */
final class RepositionedKeys implements VectorStore {
    private final VectorStore inner;
    private final KeyRotation rotation;
    private int[] delta;

    RepositionedKeys(VectorStore inner, KeyRotation rotation) {
        this.inner = inner;
        this.rotation = rotation;
        this.delta = new int[Math.max(16, inner.size())];
    }

    /** The encoded keys, rotated as stored. */
    VectorStore inner() {
        return inner;
    }

    /** Entry {@code i}'s key is now to be read rotated by a further {@code positionDelta}. */
    void shift(int i, int positionDelta) {
        delta[i] += positionDelta;
    }

    @Override
    public int dim() {
        return inner.dim();
    }

    @Override
    public int size() {
        return inner.size();
    }

    private void ensure(int n) {
        if (n > delta.length) delta = Arrays.copyOf(delta, Math.max(n, delta.length * 2));
    }

    @Override
    public void append(float[] v, int off) {
        int i = inner.size();
        ensure(i + 1);
        inner.append(v, off);
        delta[i] = 0;
    }

    @Override
    public void appendAll(float[] v, int off, int count) {
        int i = inner.size();
        ensure(i + count);
        inner.appendAll(v, off, count);
        Arrays.fill(delta, i, i + count, 0);
    }

    @Override
    public void reserve(int additional) {
        inner.reserve(additional);
        ensure(inner.size() + additional);
    }

    @Override
    public void dots(float[] q, int qOff, int n, float scale, float[] out, int outOff) {
        int d = dim();
        float[] k = new float[d];
        for (int i = 0; i < n; i++) {
            get(i, k, 0);
            out[outOff + i] = scale * FloatTensor.dot(q, qOff, k, 0, d);
        }
    }

    @Override
    public void accumulate(float[] w, int wOff, int n, float[] out, int off) {
        int d = dim();
        float[] k = new float[d];
        for (int i = 0; i < n; i++) {
            get(i, k, 0);
            float wi = w[wOff + i];
            for (int c = 0; c < d; c++) out[off + c] += wi * k[c];
        }
    }

    @Override
    public void get(int i, float[] out, int off) {
        inner.get(i, out, off);
        if (delta[i] != 0) rotation.rotate(out, off, delta[i]);
    }

    /** Replaces key {@code i} with {@code v}, rotated to the entry's current position: encoded as given. */
    @Override
    public void set(int i, float[] v, int off) {
        inner.set(i, v, off);
        delta[i] = 0;
    }

    @Override
    public void retain(int[] keep) {
        inner.retain(keep);
        for (int j = 0; j < keep.length; j++) delta[j] = delta[keep[j]];
    }

    @Override
    public void clear() {
        inner.clear();
        Arrays.fill(delta, 0);
    }

    /** The encoded keys and one int per entry, the pending rotation (cache stats count it with the entry's metadata). */
    @Override
    public long bytesUsed() {
        return inner.bytesUsed() + (long) size() * Integer.BYTES;
    }

    @Override
    public long bytesAllocated() {
        return inner.bytesAllocated() + (long) delta.length * Integer.BYTES;
    }

    @Override
    public int bytesPerVector() {
        return inner.bytesPerVector() + Integer.BYTES;
    }

    @Override
    public String codec() {
        return inner.codec();
    }
}
