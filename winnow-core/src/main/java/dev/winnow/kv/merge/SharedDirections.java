package dev.winnow.kv.merge;

import java.util.Arrays;

/**
 * The merged vectors of one pair of adjacent layers (one KV head, keys or values): per merged
 * token a unit direction shared by both layers and each layer's magnitude. Slots are added in
 * token order; each side (0: the lower layer, 1: the upper) marks whether it still holds the
 * slot — eviction in one layer releases its side only. A side's merged entries are its live
 * slots in order, so no per-entry index is needed. Slots neither side holds are compacted away.
 */
final class SharedDirections {
    private final int dim;
    private float[] dirs;
    private final float[][] mags = new float[2][];
    /** Bit s of alive[side]: the side holds slot s. */
    private final long[][] alive = new long[2][];
    private int slots;

    SharedDirections(int dim) {
        this.dim = dim;
        clear();
    }

    void clear() {
        dirs = new float[16 * dim];
        mags[0] = new float[16];
        mags[1] = new float[16];
        alive[0] = new long[1];
        alive[1] = new long[1];
        slots = 0;
    }

    int dim() {
        return dim;
    }

    int slots() {
        return slots;
    }

    /** Adds a slot held by both sides. */
    int add(float[] dir, int off, float mag0, float mag1) {
        if (slots == mags[0].length) {
            int cap = slots * 2;
            dirs = Arrays.copyOf(dirs, cap * dim);
            mags[0] = Arrays.copyOf(mags[0], cap);
            mags[1] = Arrays.copyOf(mags[1], cap);
        }
        int words = (slots + 64) >>> 6;
        if (words > alive[0].length) {
            alive[0] = Arrays.copyOf(alive[0], words * 2);
            alive[1] = Arrays.copyOf(alive[1], words * 2);
        }
        System.arraycopy(dir, off, dirs, slots * dim, dim);
        mags[0][slots] = mag0;
        mags[1][slots] = mag1;
        alive[0][slots >>> 6] |= 1L << slots;
        alive[1][slots >>> 6] |= 1L << slots;
        return slots++;
    }

    boolean alive(int side, int slot) {
        return (alive[side][slot >>> 6] & (1L << slot)) != 0;
    }

    void release(int side, int slot) {
        alive[side][slot >>> 6] &= ~(1L << slot);
    }

    /** The first slot at or after {@code from} that {@code side} holds, or {@link #slots()}. */
    int nextAlive(int side, int from) {
        long[] a = alive[side];
        int w = from >>> 6;
        if (w >= a.length || from >= slots) return slots;
        long word = a[w] & (-1L << from);
        while (true) {
            if (word != 0) return Math.min(slots, (w << 6) + Long.numberOfTrailingZeros(word));
            if (++w >= a.length || (w << 6) >= slots) return slots;
            word = a[w];
        }
    }

    /** The {@code k}-th (0-based) slot {@code side} holds. */
    int aliveAt(int side, int k) {
        long[] a = alive[side];
        for (int w = 0; w < a.length; w++) {
            int c = Long.bitCount(a[w]);
            if (k < c) {
                long word = a[w];
                for (int j = 0; j < k; j++) word &= word - 1;
                return (w << 6) + Long.numberOfTrailingZeros(word);
            }
            k -= c;
        }
        throw new IndexOutOfBoundsException("side " + side + " holds fewer slots");
    }

    int aliveCount(int side) {
        int c = 0;
        for (long w : alive[side]) c += Long.bitCount(w);
        return c;
    }

    /** Slots both sides hold. */
    int sharedCount() {
        int c = 0;
        for (int w = 0; w < alive[0].length; w++) c += Long.bitCount(alive[0][w] & alive[1][w]);
        return c;
    }

    float mag(int side, int slot) {
        return mags[side][slot];
    }

    float[] dirs() {
        return dirs;
    }

    /** Drops the slots neither side holds (order kept), when they are at least half of all. */
    void compact() {
        int live = 0;
        for (int w = 0; w < alive[0].length; w++) live += Long.bitCount(alive[0][w] | alive[1][w]);
        if (slots < 32 || live > slots / 2) return;
        long[] a0 = new long[Math.max(1, (live + 63) >>> 6)], a1 = new long[a0.length];
        int k = 0;
        for (int s = 0; s < slots; s++) {
            boolean h0 = alive(0, s), h1 = alive(1, s);
            if (!h0 && !h1) continue;
            System.arraycopy(dirs, s * dim, dirs, k * dim, dim);
            mags[0][k] = mags[0][s];
            mags[1][k] = mags[1][s];
            if (h0) a0[k >>> 6] |= 1L << k;
            if (h1) a1[k >>> 6] |= 1L << k;
            k++;
        }
        slots = k;
        alive[0] = a0;
        alive[1] = a1;
        int cap = Math.max(16, k * 2);
        if (cap < mags[0].length) {
            dirs = Arrays.copyOf(dirs, cap * dim);
            mags[0] = Arrays.copyOf(mags[0], cap);
            mags[1] = Arrays.copyOf(mags[1], cap);
        }
    }

    /** Bytes allocated by the pool (directions, magnitudes, alive bits). */
    long bytesAllocated() {
        return (long) dirs.length * 4 + 2L * mags[0].length * 4 + 2L * alive[0].length * 8;
    }
}
