package dev.winnow.kv.policy;

/**
 * How many entries a head keeps: an absolute number ({@code budget=N}) or a compression ratio
 * ({@code ratio=r}: at every compression, keep the fraction 1 − r of the tokens the sequence
 * holds then — prompt and generated tokens so far — so the budget grows with the sequence, as a
 * fraction of the context does, instead of being fixed once from the prompt).
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

    /** Entries to keep per head when the sequence holds {@code tokens} tokens. */
    public int resolve(int tokens) {
        return isRatio() ? Math.max(1, (int) Math.ceil((1 - ratio) * tokens)) : entries;
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
