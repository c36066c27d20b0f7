package dev.winnow.generate.speculative;

import java.util.Arrays;

/**
 * Token Recycling (Luo et al. 2024, "Turning Trash into Treasure"): an adjacency matrix holds,
 * per token, the top-{@code k} candidates of the latest logits the model produced after it —
 * every verification pass's rows, rejected ones included, refresh it. A draft is a static tree
 * ({@link DraftTreeShape}) filled breadth-first from the root: each node takes its parent
 * token's candidate of the node's rank. Tokens with no candidates yet end their branch.
 */
public final class RecyclingDrafter implements Drafter {
    private final int k;
    private final DraftTreeShape shape;
    private int vocab;
    /** {@code next[t * k + r]}: the rank-r candidate after token t, or −1. */
    private int[] next = new int[0];
    private final int[] tokens, parents, rowOf;

    public RecyclingDrafter(int k, DraftTreeShape shape) {
        if (k < 1) throw new IllegalArgumentException("recycling: k=" + k + " must be >= 1");
        this.k = k;
        this.shape = shape;
        int n = shape.nodes();
        tokens = new int[n];
        parents = new int[n];
        rowOf = new int[n];
    }

    @Override
    public String spec() {
        return "recycling:k=" + k + ",tree=" + shape;
    }

    /** The candidates recorded after {@code token} (−1 where none), for tests. */
    public int[] candidates(int token) {
        if (token >= vocab) return filled(-1);
        return Arrays.copyOfRange(next, token * k, token * k + k);
    }

    private int[] filled(int v) {
        int[] a = new int[k];
        Arrays.fill(a, v);
        return a;
    }

    @Override
    public Draft draft(int[] context, int length, int maxRows) {
        int root = context[length - 1];
        tokens[0] = root;
        parents[0] = -1;
        rowOf[0] = 0;
        int rows = 1;
        for (int node = 1; node < shape.nodes() && rows < maxRows; node++) {
            int pr = rowOf[shape.parent(node)];
            rowOf[node] = -1;
            if (pr < 0) continue;
            int pt = tokens[pr];
            int cand = pt < vocab ? next[pt * k + shape.rank(node)] : -1;
            if (cand < 0) continue;
            tokens[rows] = cand;
            parents[rows] = pr;
            rowOf[node] = rows++;
        }
        return Draft.tree(tokens, parents, rows);
    }

    @Override
    public void verified(Draft draft, float[] logits, int vocab) {
        if (this.vocab != vocab) {
            this.vocab = vocab;
            next = new int[vocab * k];
            Arrays.fill(next, -1);
        }
        for (int r = 0; r < draft.rows(); r++) topK(logits, r * vocab, vocab, next, draft.token(r) * k);
    }

    /** Writes the indices of the k largest of {@code l[off, off + n)}, best first (lower index on ties), to {@code out[o…]}. */
    private void topK(float[] l, int off, int n, int[] out, int o) {
        int m = Math.min(k, n);
        int size = 0;
        for (int i = 0; i < n; i++) {
            float v = l[off + i];
            if (size == m && !(v > l[off + out[o + size - 1]])) continue;
            int j = size < m ? size++ : size - 1;
            while (j > 0 && v > l[off + out[o + j - 1]]) {
                out[o + j] = out[o + j - 1];
                j--;
            }
            out[o + j] = i;
        }
        for (int j = m; j < k; j++) out[o + j] = -1;
    }

    @Override
    public void reset() {
        // The matrix describes the model, not the text: Token Recycling keeps it across requests.
    }
}
