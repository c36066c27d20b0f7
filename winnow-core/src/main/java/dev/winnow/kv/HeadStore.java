package dev.winnow.kv;

import dev.winnow.tensor.FloatTensor;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The KV entries of one layer and one KV head: for each entry its key (after RoPE), its value,
 * the position its key is rotated to, and the statistics compression policies use, in
 * insertion order. Storage is f32 and grows by doubling; {@link #retain} compacts it and frees
 * the unused tail, so evicted entries really give memory back.
 *
 * <p>Attention reads the store through {@link #scores} and {@link #accumulateValues}, so a
 * store holding encoded entries can compute them without a dequantized copy. When attention is
 * recorded ({@link KvCache#recordAttention}), the model reports each query's attention
 * probabilities (summed over the query heads sharing this KV head) to {@link #observe}.
 */
public final class HeadStore {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int INITIAL_CAPACITY = 16;
    /** Bytes of statistics per entry: accumulated, last, extra (float), hits, inserted, last hit (int), interval (float). */
    static final int STAT_BYTES = 7 * 4;

    private final int headSize;
    private float[] keys;
    private float[] values;
    private int[] positions;
    // Per-entry statistics (see the accessors).
    private float[] accumulated;
    private float[] last;
    private float[] extra;
    private float[] interval;
    private int[] hits;
    private int[] inserted;
    private int[] lastHit;
    private int size;

    public HeadStore(int headSize) {
        this.headSize = headSize;
        allocate(INITIAL_CAPACITY);
    }

    private void allocate(int cap) {
        keys = new float[cap * headSize];
        values = new float[cap * headSize];
        positions = new int[cap];
        accumulated = new float[cap];
        last = new float[cap];
        extra = new float[cap];
        interval = new float[cap];
        hits = new int[cap];
        inserted = new int[cap];
        lastHit = new int[cap];
    }

    private void resize(int cap) {
        keys = Arrays.copyOf(keys, cap * headSize);
        values = Arrays.copyOf(values, cap * headSize);
        positions = Arrays.copyOf(positions, cap);
        accumulated = Arrays.copyOf(accumulated, cap);
        last = Arrays.copyOf(last, cap);
        extra = Arrays.copyOf(extra, cap);
        interval = Arrays.copyOf(interval, cap);
        hits = Arrays.copyOf(hits, cap);
        inserted = Arrays.copyOf(inserted, cap);
        lastHit = Arrays.copyOf(lastHit, cap);
    }

    public int headSize() {
        return headSize;
    }

    /** Number of entries held. */
    public int size() {
        return size;
    }

    public int capacity() {
        return positions.length;
    }

    /**
     * Appends one entry: key and value of {@code headSize} floats each, the key already rotated
     * to {@code position}; {@code step} is the cache's step counter (for age statistics).
     */
    public void append(float[] key, int keyOffset, float[] value, int valueOffset, int position, int step) {
        if (size == positions.length) resize(Math.max(size + 1, positions.length * 2));
        System.arraycopy(key, keyOffset, keys, size * headSize, headSize);
        System.arraycopy(value, valueOffset, values, size * headSize, headSize);
        positions[size] = position;
        accumulated[size] = 0;
        last[size] = 0;
        extra[size] = 0;
        interval[size] = 0;
        hits[size] = 0;
        inserted[size] = step;
        lastHit[size] = step;
        size++;
    }

    /** Appends with step 0 (no age statistics). */
    public void append(float[] key, int keyOffset, float[] value, int valueOffset, int position) {
        append(key, keyOffset, value, valueOffset, position, 0);
    }

    /** Reserves room for {@code additional} more entries. */
    public void reserve(int additional) {
        if (size + additional > positions.length) resize(Math.max(size + additional, positions.length * 2));
    }

    /** The position entry {@code i}'s key is rotated to (its token's original position unless re-positioned). */
    public int position(int i) {
        return positions[check(i)];
    }

    /** Copies entry {@code i}'s key into {@code out[off…]}. */
    public void key(int i, float[] out, int off) {
        System.arraycopy(keys, check(i) * headSize, out, off, headSize);
    }

    /** Copies entry {@code i}'s value into {@code out[off…]}. */
    public void value(int i, float[] out, int off) {
        System.arraycopy(values, check(i) * headSize, out, off, headSize);
    }

    /** L2 norm of entry {@code i}'s key. */
    public float keyNorm(int i) {
        int base = check(i) * headSize;
        return (float) Math.sqrt(FloatTensor.dot(keys, base, keys, base, headSize));
    }

    /** Attention received so far, summed over queries and the query heads of the group. */
    public float accumulatedAttention(int i) {
        return accumulated[check(i)];
    }

    /** Attention from the most recent query, averaged over the query heads of the group. */
    public float lastAttention(int i) {
        return last[check(i)];
    }

    /** How many queries gave this entry more than the uniform share (1/n) of their attention. */
    public int hits(int i) {
        return hits[check(i)];
    }

    /** The cache step at which the entry was added. */
    public int insertedStep(int i) {
        return inserted[check(i)];
    }

    /** The step of the entry's most recent hit (its insertion step if none). */
    public int lastHitStep(int i) {
        return lastHit[check(i)];
    }

    /** Running mean of the steps between the entry's hits (0 until its second hit). */
    public float hitInterval(int i) {
        return interval[check(i)];
    }

    /** A per-entry value that a policy's own {@link AttentionRecorder} maintains. */
    public float extra(int i) {
        return extra[check(i)];
    }

    public void setExtra(int i, float v) {
        extra[check(i)] = v;
    }

    private int check(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("entry " + i + " of " + size);
        return i;
    }

    /**
     * Records one query's attention over entries {@code [0, n)}: {@code probs} are the
     * probabilities summed over the {@code groupSize} query heads sharing this store.
     */
    public void observe(float[] probs, int n, int groupSize, int step) {
        float inv = 1f / groupSize;
        float uniform = 1f / n;
        for (int i = 0; i < n; i++) {
            float p = probs[i];
            accumulated[i] += p;
            float mean = p * inv;
            last[i] = mean;
            if (mean > uniform) {
                int gap = step - lastHit[i];
                if (hits[i] > 0 && gap > 0) interval[i] += (gap - interval[i]) / hits[i];
                hits[i]++;
                lastHit[i] = step;
            }
        }
        for (int i = n; i < size; i++) last[i] = 0;
    }

    /** {@code out[i] = scale × (q · key_i)} for entries {@code i < n}. */
    public void scores(float[] q, int qOffset, int n, float scale, float[] out) {
        for (int i = 0; i < n; i++) {
            out[i] = scale * FloatTensor.dot(q, qOffset, keys, i * headSize, headSize);
        }
    }

    /** {@code out[off…] += Σ_{i<n} weights[i] × value_i}. */
    public void accumulateValues(float[] weights, int n, float[] out, int off) {
        int hs = headSize;
        if (hs % S.length() == 0) {
            for (int c = 0; c < hs; c += S.length()) {
                FloatVector acc = FloatVector.fromArray(S, out, off + c);
                for (int i = 0; i < n; i++) {
                    acc = FloatVector.fromArray(S, values, i * hs + c).fma(FloatVector.broadcast(S, weights[i]), acc);
                }
                acc.intoArray(out, off + c);
            }
        } else {
            for (int i = 0; i < n; i++) {
                float w = weights[i];
                int base = i * hs;
                for (int c = 0; c < hs; c++) out[off + c] += w * values[base + c];
            }
        }
    }

    /**
     * Re-rotates entry {@code i}'s key from its position to {@code newPosition} (the rotation
     * by the difference, as StreamingLLM's re-positioning needs).
     */
    public void reposition(int i, int newPosition, KeyRotation rotation) {
        check(i);
        int delta = newPosition - positions[i];
        if (delta == 0) return;
        rotation.rotate(keys, i * headSize, delta);
        positions[i] = newPosition;
    }

    /**
     * Keeps only the entries whose indices are listed (ascending, distinct), in that order, and
     * shrinks the storage when less than a quarter of it is in use.
     */
    public void retain(int[] keep) {
        int n = keep.length;
        int prev = -1;
        for (int j = 0; j < n; j++) {
            int i = keep[j];
            if (i <= prev || i >= size) {
                throw new IllegalArgumentException("retain needs ascending distinct indices below " + size + ", got " + i);
            }
            prev = i;
            if (i != j) {
                System.arraycopy(keys, i * headSize, keys, j * headSize, headSize);
                System.arraycopy(values, i * headSize, values, j * headSize, headSize);
                positions[j] = positions[i];
                accumulated[j] = accumulated[i];
                last[j] = last[i];
                extra[j] = extra[i];
                interval[j] = interval[i];
                hits[j] = hits[i];
                inserted[j] = inserted[i];
                lastHit[j] = lastHit[i];
            }
        }
        size = n;
        if (positions.length > INITIAL_CAPACITY && size < positions.length / 4) {
            resize(Math.max(INITIAL_CAPACITY, size * 2));
        }
    }

    /** Removes all entries and frees the storage. */
    public void clear() {
        size = 0;
        allocate(INITIAL_CAPACITY);
    }

    /** Bytes per entry: key and value (f32), position and statistics. */
    public int bytesPerEntry() {
        return 2 * headSize * Float.BYTES + Integer.BYTES + STAT_BYTES;
    }

    /** Bytes of the entries in use. */
    public long bytesUsed() {
        return (long) size * bytesPerEntry();
    }

    /** Bytes allocated, including spare capacity. */
    public long bytesAllocated() {
        return (long) positions.length * bytesPerEntry();
    }
}
