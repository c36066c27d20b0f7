package dev.winnow.kv;

/**
 * Entries and bytes held by a {@link KvCache}, measured from its stores.
 *
 * @param entries entries per layer and KV head, {@code [layer][head]}
 */
public record KvStats(int[][] entries, long bytesUsed, long bytesAllocated) {
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

    @Override
    public String toString() {
        return String.format("%d entries, %.1f KiB used, %.1f KiB allocated", totalEntries(),
                bytesUsed / 1024.0, bytesAllocated / 1024.0);
    }
}
