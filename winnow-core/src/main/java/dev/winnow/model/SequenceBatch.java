package dev.winnow.model;

import dev.winnow.kv.KvCache;
import java.util.Arrays;

/**
 * The rows of one forward pass over several sequences ({@link Transformer#forward(SequenceBatch,
 * ForwardState)}): consecutive runs of rows, each run a sequence with its own {@link KvCache} —
 * one row for a decoding sequence, a chunk of rows for a prompt. Each row has its own position.
 * Reused from pass to pass: {@link #clear()}, then {@link #add} the sequences.
 */
public final class SequenceBatch {
    private final int capacity;
    final int[] tokens, positions;
    int rows;
    KvCache[] caches = new KvCache[8];
    int[] start = new int[8], count = new int[8];
    boolean[] logits = new boolean[8];
    int segments, logitRows;

    /** @param capacity most rows (the capacity of the {@link ForwardState} it runs with) */
    public SequenceBatch(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        this.capacity = capacity;
        this.tokens = new int[capacity];
        this.positions = new int[capacity];
    }

    public void clear() {
        Arrays.fill(caches, 0, segments, null);
        rows = segments = logitRows = 0;
    }

    /**
     * Adds {@code n} rows of one sequence: {@code tokens[from, from + n)} at {@code positions[0, n)},
     * their keys and values appended to {@code cache} (which no other run of this batch may use).
     *
     * @param wantLogits whether the pass returns the logits after the last of these rows
     */
    public void add(KvCache cache, int[] tokens, int from, int n, int[] positions, boolean wantLogits) {
        if (n < 1 || rows + n > capacity) {
            throw new IllegalArgumentException("cannot add " + n + " rows to " + rows + " of " + capacity);
        }
        for (int g = 0; g < segments; g++) {
            if (caches[g] == cache) throw new IllegalArgumentException("a cache may take part once per pass");
        }
        if (segments == caches.length) {
            int m = segments * 2;
            caches = Arrays.copyOf(caches, m);
            start = Arrays.copyOf(start, m);
            count = Arrays.copyOf(count, m);
            logits = Arrays.copyOf(logits, m);
        }
        System.arraycopy(tokens, from, this.tokens, rows, n);
        System.arraycopy(positions, 0, this.positions, rows, n);
        caches[segments] = cache;
        start[segments] = rows;
        count[segments] = n;
        logits[segments] = wantLogits;
        segments++;
        rows += n;
        if (wantLogits) logitRows++;
    }

    /** Rows in the pass. */
    public int rows() {
        return rows;
    }

    /** Sequences (runs of rows) in the pass. */
    public int sequences() {
        return segments;
    }

    /** How many logits rows the pass returns: one per sequence added with {@code wantLogits}, in order. */
    public int logitRows() {
        return logitRows;
    }

    /** A batch of one sequence: the rows {@code [0, n)} (used by the single-cache forward pass). */
    static SequenceBatch single(KvCache cache, int n) {
        SequenceBatch b = new SequenceBatch(1);
        b.caches[0] = cache;
        b.count[0] = n;
        b.segments = 1;
        b.rows = n;
        return b;
    }
}
