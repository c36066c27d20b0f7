package dev.winnow.kv.codec;

import dev.winnow.tensor.FloatTensor;

/**
 * The vectors of one kind (keys or values) of one layer and KV head, in insertion order, in some
 * encoding: the codec seam of the KV cache. A {@link dev.winnow.kv.HeadStore} holds one store for
 * its keys and one for its values; attention reads them only through {@link #dots} and
 * {@link #accumulate}, which work on the encoded form (no dequantized copy of the cache).
 *
 * <p>The seam is a store of many vectors, not a per-vector encode/decode function, so that
 * encodings whose parameters are shared between vectors (KIVI's per-channel key groups, a
 * full-precision residual window, mixed precision, cross-layer merging) fit behind it.
 *
 * <p>Indices are entry indices {@code 0 … size()−1}. A store is not thread-safe for writes;
 * concurrent reads ({@link #dots}, {@link #accumulate}, {@link #get}) are allowed.
 */
public interface VectorStore {
    /** Floats per vector (the head size). */
    int dim();

    /** Vectors held. */
    int size();

    /** Appends one vector: {@code dim()} floats at {@code v[off…]}. */
    void append(float[] v, int off);

    /** Reserves room for {@code additional} more vectors. */
    void reserve(int additional);

    /**
     * {@code out[outOff + i] = scale × (q · x_i)} for the first {@code n} vectors, computed on the
     * encoded form.
     */
    void dots(float[] q, int qOff, int n, float scale, float[] out, int outOff);

    /** {@code out[off…] += Σ_{i<n} w[wOff + i] × x_i}, computed on the encoded form. */
    void accumulate(float[] w, int wOff, int n, float[] out, int off);

    /**
     * {@code out[outOff + j] = scale × (q · x_{idx[j]})} for {@code j < m}: the scores of a subset of
     * the vectors (sparse attention). The default decodes one vector at a time (never the whole
     * store); stores with a faster kernel override it.
     */
    default void dotsAt(float[] q, int qOff, int[] idx, int m, float scale, float[] out, int outOff) {
        int d = dim();
        float[] v = new float[d];
        for (int j = 0; j < m; j++) {
            get(idx[j], v, 0);
            out[outOff + j] = scale * FloatTensor.dot(q, qOff, v, 0, d);
        }
    }

    /** {@code out[off…] += Σ_{j<m} w[wOff + j] × x_{idx[j]}}: the weighted sum over a subset of the vectors. */
    default void accumulateAt(float[] w, int wOff, int[] idx, int m, float[] out, int off) {
        int d = dim();
        float[] v = new float[d];
        for (int j = 0; j < m; j++) {
            get(idx[j], v, 0);
            float wj = w[wOff + j];
            for (int c = 0; c < d; c++) out[off + c] += wj * v[c];
        }
    }

    /**
     * Grouped scores (GQA): {@code out[outOff + h·stride + j − from] = scale × (q_h · x_e)} for the
     * {@code heads} consecutive queries {@code q_h = q[qOff + h·dim()…]} and the list positions
     * {@code from ≤ j < to}, where entry {@code e = idx[j]}, or {@code j} when {@code idx} is null. One
     * pass over the entries serves every query head of a group. An entry's score must not depend on
     * whether it is named by index or by range, nor on {@code from} (so sparse attention at full
     * budget equals full attention bit for bit). The default calls {@link #dotsAt} per head.
     */
    default void dotsGroup(float[] q, int qOff, int heads, int[] idx, int from, int to, float scale, float[] out,
                           int outOff, int stride) {
        int[] e = EntryList.of(idx, from, to);
        for (int h = 0; h < heads; h++) dotsAt(q, qOff + h * dim(), e, to - from, scale, out, outOff + h * stride);
    }

    /**
     * Grouped weighted sums: {@code out[off + h·dim()…] += Σ_{from ≤ j < to} w[wOff + h·stride + j − from] × x_e}
     * for {@code h < heads}, entries named as in {@link #dotsGroup}, each head's sum in list order. The
     * default calls {@link #accumulateAt} per head.
     */
    default void accumulateGroup(float[] w, int wOff, int stride, int heads, int[] idx, int from, int to, float[] out,
                                 int off) {
        int[] e = EntryList.of(idx, from, to);
        for (int h = 0; h < heads; h++) accumulateAt(w, wOff + h * stride, e, to - from, out, off + h * dim());
    }

    /** Decodes vector {@code i} into {@code out[off…]}. */
    void get(int i, float[] out, int off);

    /** Replaces vector {@code i} (re-encoding it, and whatever shares parameters with it). */
    void set(int i, float[] v, int off);

    /** Keeps the listed vectors (ascending, distinct, checked by the caller) in that order. */
    void retain(int[] keep);

    /** Removes every vector and frees the storage. */
    void clear();

    /** Bytes of the encoded vectors held, including their scales, zero points and index structures. */
    long bytesUsed();

    /** Bytes allocated, including spare capacity. */
    long bytesAllocated();

    /**
     * Nominal bytes of one vector in the store's main encoding (including its share of
     * scales and zero points; the f32 residual window of KIVI is not included).
     */
    int bytesPerVector();

    /** Short name of the encoding, e.g. {@code f32}, {@code int8}, {@code kivi2}. */
    String codec();

    /**
     * Reports what the store holds, per encoding: a plain store reports itself; a store whose
     * vectors are held in several encodings (a residual window, mixed precision) reports each
     * part, so that the parts' bytes add up to {@link #bytesUsed()}.
     */
    default void usage(UsageSink sink) {
        sink.add(codec(), size(), bytesUsed());
    }

    /** Receives the parts of a store: encoding name, vectors in that encoding, their bytes. */
    @FunctionalInterface
    interface UsageSink {
        void add(String codec, long vectors, long bytes);
    }

    /**
     * Whether {@link #rollback} is supported: the store's state after it is exactly the state it
     * would have had if the dropped vectors had never been appended (speculative decoding).
     */
    default boolean supportsRollback() {
        return false;
    }

    /**
     * Undoes appends: keeps vectors {@code [0, base)} and, after them, the vectors
     * {@code base + keepAfter[j]} (ascending) at {@code base + j}; drops the rest, keeping the
     * capacity (the next step appends again). Only where {@link #supportsRollback()}.
     */
    default void rollback(int base, int[] keepAfter, int kept) {
        throw new UnsupportedOperationException("the " + codec() + " store cannot roll back appended vectors");
    }

    /** Calls {@link #append} for {@code count} consecutive vectors. Group-structured stores override it. */
    default void appendAll(float[] v, int off, int count) {
        for (int j = 0; j < count; j++) append(v, off + j * dim());
    }
}
