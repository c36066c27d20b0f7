package dev.winnow.kv.policy;

/**
 * How many entries a head keeps: an absolute number ({@code budget=N}) or a compression ratio
 * ({@code ratio=r}: remove the fraction r of the entries present at the first compression).
 */
public record Budget(int entries, double ratio) {
    public static Budget entries(int n) {
        return new Budget(n, -1);
    }

    public static Budget ratio(double r) {
        return new Budget(-1, r);
    }

    public boolean isRatio() {
        return entries < 0;
    }

    /** Entries to keep given the entries held when the ratio is first applied. */
    public int resolve(int held) {
        return isRatio() ? Math.max(1, (int) Math.ceil((1 - ratio) * held)) : entries;
    }

    /** Reads {@code budget} or {@code ratio} (exactly one, or the default budget). */
    public static Budget from(Params p, int defaultEntries) {
        boolean hasBudget = p.has("budget"), hasRatio = p.has("ratio");
        if (hasBudget && hasRatio) {
            throw new KvSpecException("give either budget=N (entries per head) or ratio=R (fraction removed), not both");
        }
        if (hasRatio) return ratio(p.getDouble("ratio", 0.5, 0, 0.999));
        return entries(p.getInt("budget", defaultEntries, 1));
    }

    @Override
    public String toString() {
        return isRatio() ? "ratio=" + ratio : "budget=" + entries;
    }
}
