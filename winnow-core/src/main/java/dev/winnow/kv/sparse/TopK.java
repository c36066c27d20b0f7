package dev.winnow.kv.sparse;

import java.util.Arrays;

/**
 * The {@code k} highest scores of a range: a bounded min-heap over (score, index), ties going to
 * the lower index, so selections are deterministic. Reused between calls (not thread-safe).
 */
final class TopK {
    private float[] heapScore = new float[16];
    private int[] heapIndex = new int[16];
    private int size;

    /**
     * Writes the indices {@code i ∈ [from, to)} of the {@code k} highest {@code scores[i − from + scoresOff]}
     * into {@code out[outOff…]}, ascending, and returns how many were written ({@code min(k, to − from)}).
     */
    int select(float[] scores, int scoresOff, int from, int to, int k, int[] out, int outOff) {
        int n = to - from;
        if (k >= n) {
            for (int i = 0; i < n; i++) out[outOff + i] = from + i;
            return n;
        }
        if (k <= 0) return 0;
        if (heapScore.length < k) {
            heapScore = new float[k];
            heapIndex = new int[k];
        }
        size = 0;
        for (int i = 0; i < n; i++) {
            float s = scores[scoresOff + i];
            if (Float.isNaN(s)) s = Float.NEGATIVE_INFINITY;
            if (size < k) {
                push(s, from + i);
            } else if (s > heapScore[0]) { // a later index only displaces on a strictly higher score
                heapScore[0] = s;
                heapIndex[0] = from + i;
                siftDown(0);
            }
        }
        return ascending(heapIndex, k, from, to, out, outOff);
    }

    private long[] bits = new long[4];

    /**
     * Writes the distinct values of {@code idx[0…count)} (all in {@code [from, to)}) into
     * {@code out[outOff…]} in ascending order, through a bitset of the range (no sort); returns how
     * many were written.
     */
    int ascending(int[] idx, int count, int from, int to, int[] out, int outOff) {
        int words = (to - from + 63) >>> 6;
        if (bits.length < words) bits = new long[Math.max(words, bits.length * 2)];
        Arrays.fill(bits, 0, words, 0L);
        for (int j = 0; j < count; j++) {
            int i = idx[j] - from;
            bits[i >>> 6] |= 1L << i;
        }
        int c = outOff;
        for (int w = 0; w < words; w++) {
            long x = bits[w];
            while (x != 0) {
                out[c++] = from + (w << 6) + Long.numberOfTrailingZeros(x);
                x &= x - 1;
            }
        }
        return c - outOff;
    }

    /** Smaller score first; among equal scores the higher index first (it is displaced before a lower one). */
    private boolean less(int a, int b) {
        return heapScore[a] < heapScore[b] || (heapScore[a] == heapScore[b] && heapIndex[a] > heapIndex[b]);
    }

    private void push(float s, int index) {
        int i = size++;
        heapScore[i] = s;
        heapIndex[i] = index;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(i, parent)) break;
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int l = 2 * i + 1, r = l + 1, m = i;
            if (l < size && less(l, m)) m = l;
            if (r < size && less(r, m)) m = r;
            if (m == i) return;
            swap(i, m);
            i = m;
        }
    }

    private void swap(int a, int b) {
        float s = heapScore[a];
        heapScore[a] = heapScore[b];
        heapScore[b] = s;
        int x = heapIndex[a];
        heapIndex[a] = heapIndex[b];
        heapIndex[b] = x;
    }
}
