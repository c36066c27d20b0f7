package dev.winnow.kv.codec;

/**
 * The entries {@code from ≤ j < to} of a list (or of the range itself when the list is null) as an
 * index array starting at 0, in a per-thread buffer: what the grouped kernels' defaults pass to a
 * store's subset kernels ({@link VectorStore#dotsAt}, {@link VectorStore#accumulateAt}).
 */
final class EntryList {
    private static final ThreadLocal<int[]> BUFFER = ThreadLocal.withInitial(() -> new int[256]);

    private EntryList() {
    }

    /** The entries; valid until this thread's next call. */
    static int[] of(int[] idx, int from, int to) {
        int n = to - from;
        int[] b = BUFFER.get();
        if (b.length < n) {
            b = new int[Math.max(n, b.length * 2)];
            BUFFER.set(b);
        }
        if (idx == null) {
            for (int j = 0; j < n; j++) b[j] = from + j;
        } else {
            System.arraycopy(idx, from, b, 0, n);
        }
        return b;
    }
}
