package dev.winnow.kv.sparse;

import java.util.Arrays;

/**
 * The entries one layer's decoding step reads, per KV head: every entry, or a list of entry
 * indices (ascending, distinct). Reused from step to step (no allocation once warmed up).
 */
public final class Selection {
    private final boolean[] all;
    private final int[][] indices;
    private final int[] counts;

    public Selection(int kvHeads) {
        this.all = new boolean[kvHeads];
        this.indices = new int[kvHeads][16];
        this.counts = new int[kvHeads];
        Arrays.fill(all, true);
    }

    public int kvHeads() {
        return all.length;
    }

    /** Head {@code kvHead} reads every entry. */
    public void all(int kvHead) {
        all[kvHead] = true;
        counts[kvHead] = 0;
    }

    public boolean isAll(int kvHead) {
        return all[kvHead];
    }

    /** An index buffer of head {@code kvHead} with room for {@code capacity} entries (its contents are not kept). */
    public int[] buffer(int kvHead, int capacity) {
        if (indices[kvHead].length < capacity) indices[kvHead] = new int[Math.max(capacity, indices[kvHead].length * 2)];
        return indices[kvHead];
    }

    /** Head {@code kvHead} reads the first {@code count} indices of its {@link #buffer} (ascending, distinct). */
    public void use(int kvHead, int count) {
        all[kvHead] = false;
        counts[kvHead] = count;
    }

    /** The indices head {@code kvHead} reads (the first {@link #count} are valid); only when not {@link #isAll}. */
    public int[] indices(int kvHead) {
        return indices[kvHead];
    }

    public int count(int kvHead) {
        return counts[kvHead];
    }

    /** Entries head {@code kvHead} reads out of {@code held}. */
    public int read(int kvHead, int held) {
        return all[kvHead] ? held : counts[kvHead];
    }
}
