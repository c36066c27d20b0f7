package dev.winnow.kv;

import java.util.List;

/**
 * Entries and bytes held by a {@link KvCache}, measured from its stores.
 *
 * @param entries entries per layer and KV head now, {@code [layer][head]}
 * @param peakEntries the most entries each store held after any forward pass
 * @param bytesUsed bytes of the entries held: encoded keys and values ({@link #keyBytes()} +
 *        {@link #valueBytes()}) plus positions and statistics ({@link #metaBytes()})
 * @param bytesAllocated bytes allocated, including spare capacity
 * @param headSize values per key or value vector
 * @param keys what the key stores hold, per encoding (e.g. {@code kivi2} and its {@code f32}
 *        residual window), summed over layers and heads
 * @param values the same for the value stores
 * @param reads what decoding steps read from the stores (sparse attention reads a subset)
 */
public record KvStats(int[][] entries, int[][] peakEntries, long bytesUsed, long bytesAllocated, int headSize,
                      List<Part> keys, List<Part> values, Reads reads) {

    /**
     * Entries read by decoding steps, counted per (layer, KV head) attention: {@code headSteps}
     * attentions read {@code entriesRead} entries out of {@code entriesHeld} held at the time.
     */
    public record Reads(long headSteps, long entriesRead, long entriesHeld) {
        public static final Reads NONE = new Reads(0, 0, 0);

        /** Mean entries one head's attention read per decoding step (0 before any step). */
        public double meanRead() {
            return headSteps == 0 ? 0 : (double) entriesRead / headSteps;
        }

        /** Mean entries one head held per decoding step (0 before any step). */
        public double meanHeld() {
            return headSteps == 0 ? 0 : (double) entriesHeld / headSteps;
        }

        /** Fraction of the held entries that decoding read (1 with full attention; 0 before any step). */
        public double fractionRead() {
            return entriesHeld == 0 ? 0 : (double) entriesRead / entriesHeld;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "decoding read %.1f of %.1f entries per head and step (%.1f%%)",
                    meanRead(), meanHeld(), 100 * fractionRead());
        }
    }

    /**
     * Vectors held in one encoding and their bytes (scales, zero points and index structures
     * included). A part may hold bytes but no vectors (e.g. the precision bitmap of mixed precision).
     */
    public record Part(String codec, long vectors, long bytes) {
        /** Bits per value of the part's vectors, or 0 when it holds none. */
        public double bitsPerValue(int headSize) {
            return vectors == 0 ? 0 : 8.0 * bytes / ((double) vectors * headSize);
        }
    }

    /** Stats without the per-encoding breakdown (empty lists, head size 0). */
    public KvStats(int[][] entries, int[][] peakEntries, long bytesUsed, long bytesAllocated) {
        this(entries, peakEntries, bytesUsed, bytesAllocated, 0, List.of(), List.of(), Reads.NONE);
    }

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

    /** Bytes of the encoded keys. */
    public long keyBytes() {
        return keys.stream().mapToLong(Part::bytes).sum();
    }

    /** Bytes of the encoded values. */
    public long valueBytes() {
        return values.stream().mapToLong(Part::bytes).sum();
    }

    /** Bytes of positions and per-entry statistics. */
    public long metaBytes() {
        return bytesUsed - keyBytes() - valueBytes();
    }

    /** Key vectors held in encoding {@code codec}. */
    public long keyVectors(String codec) {
        return keys.stream().filter(p -> p.codec().equals(codec)).mapToLong(Part::vectors).sum();
    }

    /** Value vectors held in encoding {@code codec}. */
    public long valueVectors(String codec) {
        return values.stream().filter(p -> p.codec().equals(codec)).mapToLong(Part::vectors).sum();
    }

    /** Mean bytes of key + value per entry (encoded, without positions and statistics); 0 when empty. */
    public double kvBytesPerEntry() {
        long n = totalEntries();
        return n == 0 ? 0 : (double) (keyBytes() + valueBytes()) / n;
    }

    /** Mean bytes per entry including positions and statistics; 0 when empty. */
    public double bytesPerEntry() {
        long n = totalEntries();
        return n == 0 ? 0 : (double) bytesUsed / n;
    }

    /** Effective bits per key/value number: 8 × (key + value bytes) / (entries × 2 × head size); 0 when empty. */
    public double bitsPerValue() {
        long n = totalEntries();
        return n == 0 || headSize == 0 ? 0 : 8.0 * (keyBytes() + valueBytes()) / ((double) n * 2 * headSize);
    }

    /** The per-encoding breakdown, e.g. {@code keys: kivi2 3968 vectors 2.62 bits, f32 128 vectors 32.00 bits; values: …}. */
    public String breakdown() {
        return "keys: " + describe(keys) + "; values: " + describe(values);
    }

    private String describe(List<Part> parts) {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(p.codec()).append(' ').append(p.vectors()).append(" vectors");
            if (p.vectors() > 0) sb.append(String.format(java.util.Locale.ROOT, " %.2f bits", p.bitsPerValue(headSize)));
            else sb.append(String.format(java.util.Locale.ROOT, " %d bytes", p.bytes()));
        }
        return sb.isEmpty() ? "-" : sb.toString();
    }

    @Override
    public String toString() {
        String s = String.format(java.util.Locale.ROOT, "%d entries (%d–%d per head), %.1f KiB used, %.1f KiB allocated",
                totalEntries(), minEntries(), maxEntries(), bytesUsed / 1024.0, bytesAllocated / 1024.0);
        if (headSize > 0) s += String.format(java.util.Locale.ROOT, ", %.2f bits per key/value number", bitsPerValue());
        return s;
    }
}
