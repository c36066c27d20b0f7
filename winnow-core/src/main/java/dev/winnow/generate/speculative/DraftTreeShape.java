package dev.winnow.generate.speculative;

import java.util.Arrays;

/**
 * A static draft tree, expanded breadth-first: a node at depth d whose path from the root took
 * the candidates of ranks r1…rd gets {@code max(0, width[d] − (r1 + … + rd))} children, its
 * parent token's best candidates in rank order. So the likeliest paths go deepest and the tree
 * stays small: e.g. 4/3/2/2/1/1/1/1 (widths per depth; 24 nodes). Node 0 is the root.
 *
 * <p>{@code default} = {@code 1}: the root's best candidate alone. Chosen by measurement
 * (docs/benchmarks.md, "Speculative decoding"): a verification pass costs about one decoding step
 * per row here (each row keeps the arithmetic of decoding alone), and on stories260K the best
 * candidate is accepted 37 % of the time while wider and deeper trees add rows faster than
 * accepted tokens (1: 0.61–0.80× plain decoding; 2/1: 0.40×; 4/3/2/2/1/1/1/1: 0.10×).
 */
public final class DraftTreeShape {
    /** Most nodes a tree may have (one verification pass runs them all). */
    public static final int MAX_NODES = 128;
    public static final String DEFAULT = "1";

    private final String text;
    private final int[] parent;
    private final int[] rank;

    private DraftTreeShape(String text, int[] parent, int[] rank) {
        this.text = text;
        this.parent = parent;
        this.rank = rank;
    }

    /** Parses {@code default} or widths per depth separated by '/', each at most {@code k}. */
    public static DraftTreeShape parse(String text, int k) {
        String t = text.trim().equals("default") ? DEFAULT : text.trim();
        String[] parts = t.split("/");
        int[] width = new int[parts.length];
        for (int d = 0; d < parts.length; d++) {
            try {
                width[d] = Integer.parseInt(parts[d].trim());
            } catch (NumberFormatException e) {
                throw new SpeculateSpecException("recycling: tree='" + text + "' should be 'default' or widths per depth like 4/2/1");
            }
            if (width[d] < 1 || width[d] > k) {
                throw new SpeculateSpecException("recycling: tree width " + width[d] + " at depth " + (d + 1) + " must be between 1 and k=" + k);
            }
        }
        int[] parent = new int[MAX_NODES + 1], rank = new int[MAX_NODES + 1], sum = new int[MAX_NODES + 1], depth = new int[MAX_NODES + 1];
        parent[0] = -1;
        int n = 1;
        for (int i = 0; i < n; i++) {
            if (depth[i] >= width.length) continue;
            int children = Math.max(0, width[depth[i]] - sum[i]);
            for (int r = 0; r < children; r++) {
                if (n > MAX_NODES) {
                    throw new SpeculateSpecException("recycling: tree='" + text + "' has more than " + MAX_NODES + " nodes");
                }
                parent[n] = i;
                rank[n] = r;
                sum[n] = sum[i] + r;
                depth[n] = depth[i] + 1;
                n++;
            }
        }
        return new DraftTreeShape(text.trim(), Arrays.copyOf(parent, n), Arrays.copyOf(rank, n));
    }

    /** Nodes including the root. */
    public int nodes() {
        return parent.length;
    }

    /** Parent node of {@code node} (−1 for the root); parents come before their children. */
    public int parent(int node) {
        return parent[node];
    }

    /** Which candidate of its parent's token the node takes (0 = the best). */
    public int rank(int node) {
        return rank[node];
    }

    @Override
    public String toString() {
        return text;
    }
}
