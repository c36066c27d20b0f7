package dev.winnow.generate.speculative;

import java.util.Arrays;

/**
 * Draft tokens to verify in one forward pass: row 0 is the root — the last token, sampled but not
 * yet run — and every other row a proposed continuation of its parent row. A chain
 * ({@link #parents()} null) proposes one continuation; a tree several alternatives at once.
 */
public final class Draft {
    private final int[] tokens;
    private final int[] parents;

    private Draft(int[] tokens, int[] parents) {
        this.tokens = tokens;
        this.parents = parents;
    }

    /** The root followed by the chain {@code drafts[0, n)}. */
    public static Draft chain(int root, int[] drafts, int n) {
        int[] t = new int[n + 1];
        t[0] = root;
        System.arraycopy(drafts, 0, t, 1, n);
        return new Draft(t, null);
    }

    /** A tree of {@code rows} rows: {@code parents[0] = -1}, {@code parents[i] < i}. */
    public static Draft tree(int[] tokens, int[] parents, int rows) {
        int[] p = Arrays.copyOf(parents, rows);
        for (int i = 0; i < rows; i++) {
            if (i == 0 ? p[0] != -1 : p[i] < 0 || p[i] >= i) {
                throw new IllegalArgumentException("draft row " + i + " has parent " + p[i]);
            }
        }
        return new Draft(Arrays.copyOf(tokens, rows), p);
    }

    /** Rows including the root. */
    public int rows() {
        return tokens.length;
    }

    public int token(int row) {
        return tokens[row];
    }

    /** The tokens, root first (do not modify). */
    public int[] tokens() {
        return tokens;
    }

    /** Each row's parent row (−1 for the root), or null for a chain. */
    public int[] parents() {
        return parents;
    }

    /** The parent row of {@code row} (−1 for the root). */
    public int parent(int row) {
        return parents == null ? row - 1 : parents[row];
    }

    /** Depth of {@code row}: the root is 0. */
    public int depth(int row) {
        int d = 0;
        for (int r = row; r > 0; r = parent(r)) d++;
        return d;
    }
}
