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
    /** Added to the cache's step for a run's entries (a draft row's depth; 0 otherwise). */
    int[] stepOffset = new int[8];
    /** A tree draft: each row's parent row (−1 for the root), or null (causal rows). */
    int[] parents;
    /** Whether the batch is a draft to verify ({@link #addDraft}). */
    boolean draft;

    /** @param capacity most rows (the capacity of the {@link ForwardState} it runs with) */
    public SequenceBatch(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        this.capacity = capacity;
        this.tokens = new int[capacity];
        this.positions = new int[capacity];
    }

    public void clear() {
        Arrays.fill(caches, 0, segments, null);
        Arrays.fill(stepOffset, 0, segments, 0);
        parents = null;
        draft = false;
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
        if (draft) throw new IllegalArgumentException("a draft batch holds only the draft");
        growSegments(segments + 1);
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

    private void growSegments(int need) {
        if (need <= caches.length) return;
        int m = Math.max(need, caches.length * 2);
        caches = Arrays.copyOf(caches, m);
        start = Arrays.copyOf(start, m);
        count = Arrays.copyOf(count, m);
        logits = Arrays.copyOf(logits, m);
        stepOffset = Arrays.copyOf(stepOffset, m);
    }

    /**
     * Makes this (empty) batch the verification pass of a speculative draft: {@code n} rows of one
     * sequence on {@code cache}, row 0 the last accepted token, each row a run of its own so every
     * row's logits are returned and computed bit for bit as a decoding step of that token alone
     * (the weights are still read once for all rows). With {@code parents == null} the rows are a
     * chain: row i sees the cache and rows 0…i. Otherwise they are a tree ({@code parents[i] < i},
     * {@code parents[0] = −1}): row i sees the cache and its own ancestors only (a tree attention
     * mask). Row i's entries get the cache's step plus its depth, as if decoded one per step.
     */
    public void addDraft(KvCache cache, int[] tokens, int n, int[] positions, int[] parents) {
        if (segments != 0) throw new IllegalArgumentException("a draft needs an empty batch");
        if (n < 1 || n > capacity) throw new IllegalArgumentException("cannot verify " + n + " rows with " + capacity);
        growSegments(n);
        System.arraycopy(tokens, 0, this.tokens, 0, n);
        System.arraycopy(positions, 0, this.positions, 0, n);
        for (int i = 0; i < n; i++) {
            int depth = i;
            if (parents != null) {
                if (i == 0 ? parents[0] != -1 : parents[i] < 0 || parents[i] >= i) {
                    throw new IllegalArgumentException("row " + i + " has parent " + parents[i] + ": parents must precede their children");
                }
                depth = i == 0 ? 0 : stepOffset[parents[i]] + 1;
            }
            caches[i] = cache;
            start[i] = i;
            count[i] = 1;
            logits[i] = true;
            stepOffset[i] = depth;
        }
        segments = n;
        rows = n;
        logitRows = n;
        this.parents = parents == null ? null : Arrays.copyOf(parents, n);
        draft = true;
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
