package dev.winnow.kv;

import dev.winnow.kv.codec.F32KeyStore;
import dev.winnow.kv.codec.F32Store;
import dev.winnow.kv.codec.VectorStore;
import dev.winnow.tensor.FloatTensor;
import java.util.Arrays;

/**
 * The KV entries of one layer and one KV head: for each entry its key (after RoPE), its value,
 * the position its key is rotated to, and the statistics compression policies use, in
 * insertion order. Keys and values are held by two {@link VectorStore}s — f32 by default,
 * or a codec's encoded form ({@link #useVectors}); positions and statistics grow by doubling
 * here. {@link #retain} compacts everything and frees the unused tail, so evicted entries really
 * give memory back.
 *
 * <p>Attention reads the store through {@link #scores} and {@link #accumulateValues}, which the
 * vector stores compute on their encoded form, without a dequantized copy. When attention is
 * recorded ({@link KvCache#recordAttention}), the model reports each query's attention
 * probabilities (summed over the query heads sharing this KV head) to {@link #observe}.
 */
public final class HeadStore {
    private static final int INITIAL_CAPACITY = 16;
    /** Bytes of statistics per entry: accumulated, last, extra (float), hits, inserted, last hit (int), interval (float). */
    static final int STAT_BYTES = 7 * 4;
    /** Bytes per entry besides key and value: the position and the statistics. */
    public static final int META_BYTES = Integer.BYTES + STAT_BYTES;

    /**
     * Decides what happens to the entries a policy removes: called by {@link #retain} instead of
     * dropping them (merging folds them into kept entries, mixed precision demotes them). It
     * must leave the store consistent, typically by calling {@link #drop}.
     */
    @FunctionalInterface
    public interface EvictionHandler {
        void retain(HeadStore store, int[] keep);
    }

    private final int headSize;
    private VectorStore keys;
    private VectorStore values;
    private EvictionHandler handler;
    private final float[] scratch;
    private int[] positions;
    // Per-entry statistics (see the accessors).
    private float[] accumulated;
    private float[] last;
    private float[] extra;
    private float[] interval;
    private int[] hits;
    private int[] inserted;
    private int[] lastHit;
    /** Per-entry additive logit bias (merged entries), or null while no entry has one. */
    private float[] bias;
    private int size;
    /** Bumped whenever existing entries change index or key (see {@link #version}). */
    private int version;

    public HeadStore(int headSize) {
        this(new F32KeyStore(headSize), new F32Store(headSize));
    }

    /** A store whose keys and values are held by the given (empty) vector stores. */
    public HeadStore(VectorStore keys, VectorStore values) {
        this.headSize = keys.dim();
        this.scratch = new float[headSize];
        useVectors(keys, values);
        allocate(INITIAL_CAPACITY);
    }

    /** Replaces the key and value storage; the store must be empty. */
    public void useVectors(VectorStore keys, VectorStore values) {
        if (size != 0) throw new IllegalStateException("the storage of a store can only change while it is empty");
        if (keys.dim() != headSize || values.dim() != headSize) {
            throw new IllegalArgumentException("vector stores of size " + keys.dim() + "/" + values.dim() + " for head size " + headSize);
        }
        if (keys.size() != 0 || values.size() != 0) throw new IllegalArgumentException("vector stores must start empty");
        this.keys = keys;
        this.values = values;
    }

    /** The keys' storage. */
    public VectorStore keyStore() {
        return keys instanceof RepositionedKeys r ? r.inner() : keys;
    }

    /** The values' storage. */
    public VectorStore valueStore() {
        return values;
    }

    /** What {@link #retain} does with the entries it removes (null: drop them). */
    public void evictionHandler(EvictionHandler h) {
        this.handler = h;
    }

    public EvictionHandler evictionHandler() {
        return handler;
    }

    private void allocate(int cap) {
        positions = new int[cap];
        accumulated = new float[cap];
        last = new float[cap];
        extra = new float[cap];
        interval = new float[cap];
        hits = new int[cap];
        inserted = new int[cap];
        lastHit = new int[cap];
        bias = null;
    }

    private void resize(int cap) {
        positions = Arrays.copyOf(positions, cap);
        accumulated = Arrays.copyOf(accumulated, cap);
        last = Arrays.copyOf(last, cap);
        extra = Arrays.copyOf(extra, cap);
        interval = Arrays.copyOf(interval, cap);
        hits = Arrays.copyOf(hits, cap);
        inserted = Arrays.copyOf(inserted, cap);
        lastHit = Arrays.copyOf(lastHit, cap);
        if (bias != null) bias = Arrays.copyOf(bias, cap);
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
        keys.append(key, keyOffset);
        values.append(value, valueOffset);
        positions[size] = position;
        accumulated[size] = 0;
        last[size] = 0;
        extra[size] = 0;
        interval[size] = 0;
        hits[size] = 0;
        inserted[size] = step;
        lastHit[size] = step;
        if (bias != null) bias[size] = 0;
        size++;
    }

    /** Appends with step 0 (no age statistics). */
    public void append(float[] key, int keyOffset, float[] value, int valueOffset, int position) {
        append(key, keyOffset, value, valueOffset, position, 0);
    }

    /** Reserves room for {@code additional} more entries. */
    public void reserve(int additional) {
        if (size + additional > positions.length) resize(Math.max(size + additional, positions.length * 2));
        keys.reserve(additional);
        values.reserve(additional);
    }

    /** The position entry {@code i}'s key is rotated to (its token's original position unless re-positioned). */
    public int position(int i) {
        return positions[check(i)];
    }

    /** Copies entry {@code i}'s key into {@code out[off…]}. */
    public void key(int i, float[] out, int off) {
        keys.get(check(i), out, off);
    }

    /** Copies entry {@code i}'s value into {@code out[off…]}. */
    public void value(int i, float[] out, int off) {
        values.get(check(i), out, off);
    }

    /** Replaces entry {@code i}'s key (re-encoded by the key storage). */
    public void setKey(int i, float[] key, int off) {
        keys.set(check(i), key, off);
        version++;
    }

    /** Replaces entry {@code i}'s value (re-encoded by the value storage); merging uses it. */
    public void setValue(int i, float[] value, int off) {
        values.set(check(i), value, off);
    }

    /**
     * The additive bias of entry {@code i}'s attention logit (0 unless set): an entry that stands
     * for several merged ones gets log of how many times its own attention mass it represents,
     * as token merging's proportional attention.
     */
    public float logitBias(int i) {
        check(i);
        return bias == null ? 0 : bias[i];
    }

    /** Adds {@code delta} to entry {@code i}'s logit bias. */
    public void addLogitBias(int i, float delta) {
        check(i);
        if (bias == null) bias = new float[positions.length];
        bias[i] += delta;
    }

    /** L2 norm of entry {@code i}'s key (as stored: decoded). */
    public float keyNorm(int i) {
        keys.get(check(i), scratch, 0);
        return (float) Math.sqrt(FloatTensor.dot(scratch, 0, scratch, 0, headSize));
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
        keys.dots(q, qOffset, n, scale, out, 0);
        float[] b = bias;
        if (b != null) for (int i = 0; i < n; i++) out[i] += b[i];
    }

    /**
     * {@code out[j] = scale × (q · key_{idx[j]})} (plus the entry's logit bias) for {@code j < m}:
     * the scores of the entries a sparse-attention step reads.
     */
    public void scoresAt(float[] q, int qOffset, int[] idx, int m, float scale, float[] out) {
        keys.dotsAt(q, qOffset, idx, m, scale, out, 0);
        float[] b = bias;
        if (b != null) for (int j = 0; j < m; j++) out[j] += b[idx[j]];
    }

    /**
     * Grouped scores (plus each entry's logit bias) of {@code heads} consecutive query heads over the
     * entries at list positions {@code [from, to)}: see {@link VectorStore#dotsGroup}.
     */
    public void scoresGroup(float[] q, int qOffset, int heads, int[] idx, int from, int to, float scale, float[] out,
                            int outOff, int stride) {
        keys.dotsGroup(q, qOffset, heads, idx, from, to, scale, out, outOff, stride);
        float[] b = bias;
        if (b != null) {
            for (int h = 0; h < heads; h++) {
                int o = outOff + h * stride - from;
                for (int j = from; j < to; j++) out[o + j] += b[idx == null ? j : idx[j]];
            }
        }
    }

    /** Grouped weighted sums of the values: see {@link VectorStore#accumulateGroup}. */
    public void accumulateValuesGroup(float[] weights, int wOff, int stride, int heads, int[] idx, int from, int to,
                                      float[] out, int off) {
        values.accumulateGroup(weights, wOff, stride, heads, idx, from, to, out, off);
    }

    /** {@code out[off…] += Σ_{j<m} weights[j] × value_{idx[j]}}. */
    public void accumulateValuesAt(float[] weights, int[] idx, int m, float[] out, int off) {
        values.accumulateAt(weights, 0, idx, m, out, off);
    }

    /**
     * A counter that changes whenever existing entries move to other indices or get other keys
     * (eviction, re-positioning, {@link #setKey}, {@link #clear}) — not on appends. Structures
     * built over a store's entries (sparse attention's page bounds and hashes) rebuild when it
     * changes and only extend themselves while it stays the same.
     */
    public int version() {
        return version;
    }

    /**
     * The index of the entry whose position is {@code position}, or −1. Positions grow with
     * insertion order (also after StreamingLLM's re-positioning), so this is a binary search.
     */
    public int indexOfPosition(int position) {
        int lo = 0, hi = size - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int p = positions[mid];
            if (p < position) lo = mid + 1;
            else if (p > position) hi = mid - 1;
            else return mid;
        }
        return -1;
    }

    /** {@code out[off…] += Σ_{i<n} weights[i] × value_i}. */
    public void accumulateValues(float[] weights, int n, float[] out, int off) {
        values.accumulate(weights, 0, n, out, off);
    }

    /**
     * Re-rotates entry {@code i}'s key from its position to {@code newPosition} (the rotation
     * by the difference, as StreamingLLM's re-positioning needs). f32 keys are re-rotated in place;
     * lossy keys stay encoded as stored and are rotated by the summed difference when read
     * ({@link RepositionedKeys}), so the error stays one encoding's however often they move.
     */
    public void reposition(int i, int newPosition, KeyRotation rotation) {
        check(i);
        int delta = newPosition - positions[i];
        if (delta == 0) return;
        if (!(keys instanceof F32KeyStore || keys instanceof F32Store)) { // lossy keys: rotate when read, never re-encode (rounding would compound)
            if (!(keys instanceof RepositionedKeys)) keys = new RepositionedKeys(keys, rotation);
            ((RepositionedKeys) keys).shift(i, delta);
            positions[i] = newPosition;
            version++;
            return;
        }
        float[] k = new float[headSize];
        keys.get(i, k, 0);
        rotation.rotate(k, 0, delta);
        keys.set(i, k, 0);
        positions[i] = newPosition;
        version++;
    }

    /**
     * Keeps only the entries whose indices are listed (ascending, distinct), in that order, and
     * shrinks the storage when less than a quarter of it is in use. With an
     * {@link EvictionHandler} installed, the handler decides instead what happens to the others
     * (merged into kept entries, demoted to low precision, …).
     */
    public void retain(int[] keep) {
        checkKeep(keep);
        if (handler != null) handler.retain(this, keep);
        else compact(keep);
    }

    private void checkKeep(int[] keep) {
        int prev = -1;
        for (int i : keep) {
            if (i <= prev || i >= size) {
                throw new IllegalArgumentException("retain needs ascending distinct indices below " + size + ", got " + i);
            }
            prev = i;
        }
    }

    /** Keeps only the listed entries (ascending, distinct) and drops the others, whatever the eviction handler. */
    public void drop(int[] keep) {
        checkKeep(keep);
        compact(keep);
    }

    private void compact(int[] keep) {
        int n = keep.length;
        keys.retain(keep);
        values.retain(keep);
        for (int j = 0; j < n; j++) {
            int i = keep[j];
            if (i != j) moveEntry(i, j);
        }
        size = n;
        version++;
        if (positions.length > INITIAL_CAPACITY && size < positions.length / 4) {
            resize(Math.max(INITIAL_CAPACITY, size * 2));
        }
    }

    /** Whether {@link #rollback} is exact for this store's keys and values (see {@link VectorStore#supportsRollback()}). */
    public boolean supportsRollback() {
        return keys.supportsRollback() && values.supportsRollback() && handler == null;
    }

    /**
     * Undoes the appends after the first {@code base} entries, keeping the entries
     * {@code base + keepAfter[j]} ({@code j < kept}, ascending) at {@code base + j} with their
     * keys, values, positions and statistics; the capacity stays (speculative decoding drops the
     * rows of rejected draft tokens this way). Statistics of earlier entries are not touched: the
     * caller must not have recorded attention since {@code base}.
     */
    public void rollback(int base, int[] keepAfter, int kept) {
        if (base < 0 || base + kept > size) throw new IllegalArgumentException("rollback to " + base + " + " + kept + " of " + size);
        for (int j = 0; j < kept; j++) {
            if (keepAfter[j] < 0 || base + keepAfter[j] >= size || (j > 0 && keepAfter[j] <= keepAfter[j - 1])) {
                throw new IllegalArgumentException("rollback needs ascending distinct entries below " + (size - base) + ", got " + keepAfter[j]);
            }
        }
        keys.rollback(base, keepAfter, kept);
        values.rollback(base, keepAfter, kept);
        for (int j = 0; j < kept; j++) {
            int i = base + keepAfter[j], d = base + j;
            if (i != d) moveEntry(i, d);
        }
        if (base + kept != size) version++;
        size = base + kept;
    }

    /** Copies entry {@code i}'s position and statistics to index {@code j} (keys and values are moved by their stores). */
    private void moveEntry(int i, int j) {
        positions[j] = positions[i];
        accumulated[j] = accumulated[i];
        last[j] = last[i];
        extra[j] = extra[i];
        interval[j] = interval[i];
        hits[j] = hits[i];
        inserted[j] = inserted[i];
        lastHit[j] = lastHit[i];
        if (bias != null) bias[j] = bias[i];
    }

    /** Removes all entries and frees the storage. */
    public void clear() {
        size = 0;
        version++;
        keys.clear();
        values.clear();
        allocate(INITIAL_CAPACITY);
    }

    /**
     * Nominal bytes per entry: key and value in their stores' main encoding, position and
     * statistics (exact for f32 and the per-token codecs; KIVI's residual window and groups
     * not yet full make the measured {@link #bytesUsed()} differ).
     */
    public int bytesPerEntry() {
        return keys.bytesPerVector() + values.bytesPerVector() + META_BYTES;
    }

    /** Bytes of the entries in use: encoded keys and values (measured from the stores), positions, statistics (and logit biases, once any). */
    public long bytesUsed() {
        return keys.bytesUsed() + values.bytesUsed() + (long) size * (META_BYTES + (bias == null ? 0 : Float.BYTES));
    }

    /** Bytes allocated, including spare capacity. */
    public long bytesAllocated() {
        return keys.bytesAllocated() + values.bytesAllocated() + (long) positions.length * (META_BYTES + (bias == null ? 0 : Float.BYTES));
    }
}
