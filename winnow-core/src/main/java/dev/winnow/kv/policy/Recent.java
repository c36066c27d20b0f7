package dev.winnow.kv.policy;

/**
 * The newest entries an eviction policy always keeps: a number given as {@code recent=N}, or by
 * default a share of the budget in force at each compression (H2O: half). A share, not a number
 * fixed from {@code budget=}, so that {@code ratio=} keeps the same recent window as the
 * equivalent {@code budget=} (issue #20: a ratio once dropped it to 0).
 */
public record Recent(int entries, int num, int den) {
    /** Reads {@code recent=N}; without it, {@code num/den} of the budget at each compression. */
    public static Recent read(Params p, int num, int den) {
        return p.has("recent") ? fixed(p.getInt("recent", 0, 0)) : new Recent(-1, num, den);
    }

    public static Recent fixed(int entries) {
        return new Recent(entries, 0, 1);
    }

    public boolean isShare() {
        return entries < 0;
    }

    /** The recent entries kept under a per-head budget of {@code budget}. */
    public int of(int budget) {
        return isShare() ? (int) ((long) budget * num / den) : entries;
    }
}
