package dev.winnow.kv;

/**
 * Entries and bytes held by a {@link KvCache}, measured from its stores.
 *
 * @param entries entries per layer and KV head now, {@code [layer][head]}
 * @param peakEntries the most entries each store held after any forward pass
 * @param bytesUsed bytes of the entries held (keys, values, positions, statistics)
 * @param bytesAllocated bytes allocated, including spare capacity
 */
public record KvStats(int[][] entries, int[][] peakEntries, long bytesUsed, long bytesAllocated) {
    public long totalEntries() {
        long n = 0;
        for (int[] layer : entries) for (int e : layer) n += e;
        return n;
    }

    public int maxEntries() {
        int m = 0;
        for (int[] layer : entries) for (int e : layer) m = Math.max(m, e);
        return m;
    }

    public int minEntries() {
        int m = Integer.MAX_VALUE;
        for (int[] layer : entries) for (int e : layer) m = Math.min(m, e);
        return m == Integer.MAX_VALUE ? 0 : m;
    }

    public int maxPeakEntries() {
        int m = 0;
        for (int[] layer : peakEntries) for (int e : layer) m = Math.max(m, e);
        return m;
    }

    @Override
    public String toString() {
        return String.format("%d entries (%d–%d per head), %.1f KiB used, %.1f KiB allocated", totalEntries(),
                minEntries(), maxEntries(), bytesUsed / 1024.0, bytesAllocated / 1024.0);
    }
}
