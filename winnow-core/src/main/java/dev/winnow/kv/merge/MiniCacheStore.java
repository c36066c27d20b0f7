package dev.winnow.kv.merge;

import dev.winnow.kv.codec.VectorStore;
import dev.winnow.tensor.FloatTensor;
import java.util.Arrays;

/**
 * One layer's side of a MiniCache layer pair (one KV head, keys or values): each entry is
 * either its own f32 vector or a merged one — a direction in the pair's {@link SharedDirections}
 * times this layer's magnitude. A bitmap says which; own vectors and this side's live slots are
 * each in entry order. New entries arrive as own vectors; {@link MiniCache} merges them with
 * the other layer's after each forward pass. Attention reads merged entries as
 * {@code magnitude × (q · direction)}.
 */
public final class MiniCacheStore implements VectorStore {
    private final SharedDirections pool;
    private final int side;
    private final int dim;
    private float[] own;
    private int ownCount;
    /** Bit i: entry i is merged. */
    private long[] merged;
    private int size;
    /** Entries before this index have been considered for merging. */
    private int processed;

    MiniCacheStore(SharedDirections pool, int side) {
        this.pool = pool;
        this.side = side;
        this.dim = pool.dim();
        reset();
    }

    private void reset() {
        own = new float[16 * dim];
        ownCount = 0;
        merged = new long[1];
        size = 0;
        processed = 0;
    }

    int side() {
        return side;
    }

    SharedDirections pool() {
        return pool;
    }

    int processed() {
        return processed;
    }

    void processedAll() {
        processed = size;
    }

    boolean isMerged(int i) {
        return (merged[i >>> 6] & (1L << i)) != 0;
    }

    /** Merged entries of this side. */
    public int mergedCount() {
        return size - ownCount;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public int size() {
        return size;
    }

    private void ensureOwn(int n) {
        if (n * dim > own.length) own = Arrays.copyOf(own, Math.max(n, 2 * own.length / dim) * dim);
    }

    private void ensureBits(int n) {
        int words = (n + 63) >>> 6;
        if (words > merged.length) merged = Arrays.copyOf(merged, Math.max(words, merged.length * 2));
    }

    @Override
    public void append(float[] v, int off) {
        ensureOwn(ownCount + 1);
        ensureBits(size + 1);
        System.arraycopy(v, off, own, ownCount * dim, dim);
        ownCount++;
        merged[size >>> 6] &= ~(1L << size);
        size++;
    }

    @Override
    public void reserve(int additional) {
        ensureOwn(ownCount + additional);
        ensureBits(size + additional);
    }

    private int mergedBefore(int i) {
        int c = 0;
        for (int w = 0; w < (i >>> 6); w++) c += Long.bitCount(merged[w]);
        if ((i & 63) != 0) c += Long.bitCount(merged[i >>> 6] & ((1L << i) - 1));
        return c;
    }

    private void check(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("vector " + i + " of " + size);
    }

    @Override
    public void dots(float[] q, int qOff, int n, float scale, float[] out, int outOff) {
        float[] dirs = pool.dirs();
        int o = 0, slot = pool.nextAlive(side, 0);
        for (int i = 0; i < n; i++) {
            if (isMerged(i)) {
                out[outOff + i] = scale * pool.mag(side, slot) * FloatTensor.dot(q, qOff, dirs, slot * dim, dim);
                slot = pool.nextAlive(side, slot + 1);
            } else {
                out[outOff + i] = scale * FloatTensor.dot(q, qOff, own, o * dim, dim);
                o++;
            }
        }
    }

    @Override
    public void accumulate(float[] w, int wOff, int n, float[] out, int off) {
        float[] dirs = pool.dirs();
        int o = 0, slot = pool.nextAlive(side, 0);
        for (int i = 0; i < n; i++) {
            float wi = w[wOff + i];
            int base;
            float[] src;
            if (isMerged(i)) {
                wi *= pool.mag(side, slot);
                src = dirs;
                base = slot * dim;
                slot = pool.nextAlive(side, slot + 1);
            } else {
                src = own;
                base = o * dim;
                o++;
            }
            for (int c = 0; c < dim; c++) out[off + c] += wi * src[base + c];
        }
    }

    @Override
    public void get(int i, float[] out, int off) {
        check(i);
        int m = mergedBefore(i);
        if (isMerged(i)) {
            int slot = pool.aliveAt(side, m);
            float mag = pool.mag(side, slot);
            float[] dirs = pool.dirs();
            for (int c = 0; c < dim; c++) out[off + c] = mag * dirs[slot * dim + c];
        } else {
            System.arraycopy(own, (i - m) * dim, out, off, dim);
        }
    }

    /** Replaces a vector; a merged one leaves the shared slot and becomes an own vector again. */
    @Override
    public void set(int i, float[] v, int off) {
        check(i);
        int m = mergedBefore(i);
        int rank = i - m;
        if (isMerged(i)) {
            pool.release(side, pool.aliveAt(side, m));
            ensureOwn(ownCount + 1);
            System.arraycopy(own, rank * dim, own, (rank + 1) * dim, (ownCount - rank) * dim);
            ownCount++;
            merged[i >>> 6] &= ~(1L << i);
        }
        System.arraycopy(v, off, own, rank * dim, dim);
    }

    @Override
    public void retain(int[] keep) {
        long[] bits = new long[Math.max(1, (keep.length + 63) >>> 6)];
        int o = 0, ko = 0, next = 0, k = 0, slot = pool.nextAlive(side, 0);
        int newProcessed = 0;
        for (int i = 0; i < size; i++) {
            boolean kept = next < keep.length && keep[next] == i;
            if (kept) next++;
            if (isMerged(i)) {
                if (kept) bits[k >>> 6] |= 1L << k;
                else pool.release(side, slot);
                slot = pool.nextAlive(side, slot + 1);
            } else {
                if (kept) {
                    if (o != ko) System.arraycopy(own, o * dim, own, ko * dim, dim);
                    ko++;
                }
                o++;
            }
            if (kept) {
                if (i < processed) newProcessed++;
                k++;
            }
        }
        merged = bits;
        size = keep.length;
        ownCount = ko;
        processed = newProcessed;
        pool.compact();
        int cap = own.length / dim;
        if (cap > 16 && ownCount < cap / 4) own = Arrays.copyOf(own, Math.max(16, ownCount * 2) * dim);
    }

    /**
     * Turns entries {@code [processed, size)} flagged in {@code mergeMe} (relative index) into
     * merged entries whose slots were just added to the pool, in order, and forgets their own vectors.
     */
    void markMerged(boolean[] mergeMe) {
        int ownBefore = processed - mergedBefore(processed);
        int o = ownBefore, k = ownBefore;
        for (int j = 0; j < mergeMe.length; j++) {
            int i = processed + j;
            if (mergeMe[j]) {
                merged[i >>> 6] |= 1L << i;
                o++;
            } else {
                if (o != k) System.arraycopy(own, o * dim, own, k * dim, dim);
                o++;
                k++;
            }
        }
        ownCount = k;
    }

    /** The own vector of unprocessed entry {@code i} (not merged) into {@code out}. */
    void ownVector(int i, float[] out, int off) {
        get(i, out, off);
    }

    @Override
    public void clear() {
        reset();
        pool.clear();
    }

    /** Bytes of this side's share of the pool: half of a direction both sides hold, all of one it holds alone, its magnitudes and alive bits. */
    private long mergedBytes() {
        int mine = pool.aliveCount(side);
        int shared = pool.sharedCount();
        return (long) shared * dim * 2 + (long) (mine - shared) * dim * 4 + (long) mine * 4;
    }

    private long indexBytes() {
        return (size + 7) / 8 + (pool.slots() + 7) / 8;
    }

    @Override
    public long bytesUsed() {
        return (long) ownCount * dim * 4 + mergedBytes() + indexBytes();
    }

    @Override
    public long bytesAllocated() {
        return (long) own.length * 4 + merged.length * 8L + pool.bytesAllocated() / 2;
    }

    @Override
    public int bytesPerVector() {
        return dim * 4;
    }

    @Override
    public String codec() {
        return "minicache";
    }

    @Override
    public void usage(UsageSink sink) {
        sink.add("f32", ownCount, (long) ownCount * dim * 4);
        sink.add("minicache", mergedCount(), mergedBytes());
        sink.add("minicache-index", 0, indexBytes());
    }
}
