package dev.winnow.kv;

import dev.winnow.tensor.FloatTensor;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The KV entries of one layer and one KV head: for each entry its key (after RoPE), its value
 * and the original position of its token, in insertion order. Storage is f32 and grows by
 * doubling; {@link #retain} compacts it and frees the unused tail.
 *
 * <p>Attention reads the store through {@link #scores} and {@link #accumulateValues}, so a
 * store holding encoded entries can compute them without a dequantized copy.
 */
public final class HeadStore {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int INITIAL_CAPACITY = 16;

    private final int headSize;
    private float[] keys;
    private float[] values;
    private int[] positions;
    private int size;

    public HeadStore(int headSize) {
        this.headSize = headSize;
        this.keys = new float[INITIAL_CAPACITY * headSize];
        this.values = new float[INITIAL_CAPACITY * headSize];
        this.positions = new int[INITIAL_CAPACITY];
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

    /** Appends one entry: key and value of {@code headSize} floats each. */
    public void append(float[] key, int keyOffset, float[] value, int valueOffset, int position) {
        if (size == positions.length) grow(size + 1);
        System.arraycopy(key, keyOffset, keys, size * headSize, headSize);
        System.arraycopy(value, valueOffset, values, size * headSize, headSize);
        positions[size] = position;
        size++;
    }

    private void grow(int min) {
        int cap = Math.max(min, positions.length * 2);
        keys = Arrays.copyOf(keys, cap * headSize);
        values = Arrays.copyOf(values, cap * headSize);
        positions = Arrays.copyOf(positions, cap);
    }

    /** Reserves room for {@code additional} more entries. */
    public void reserve(int additional) {
        if (size + additional > positions.length) grow(size + additional);
    }

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

    private int check(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("entry " + i + " of " + size);
        return i;
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
            }
        }
        size = n;
        if (positions.length > INITIAL_CAPACITY && size < positions.length / 4) {
            int cap = Math.max(INITIAL_CAPACITY, size * 2);
            keys = Arrays.copyOf(keys, cap * headSize);
            values = Arrays.copyOf(values, cap * headSize);
            positions = Arrays.copyOf(positions, cap);
        }
    }

    /** Removes all entries and frees the storage. */
    public void clear() {
        size = 0;
        keys = new float[INITIAL_CAPACITY * headSize];
        values = new float[INITIAL_CAPACITY * headSize];
        positions = new int[INITIAL_CAPACITY];
    }

    /** Bytes of entry data held (keys + values + positions of the entries in use). */
    public long bytesUsed() {
        return (long) size * (2L * headSize * Float.BYTES + Integer.BYTES);
    }

    /** Bytes allocated, including spare capacity. */
    public long bytesAllocated() {
        return (long) positions.length * (2L * headSize * Float.BYTES + Integer.BYTES);
    }
}
