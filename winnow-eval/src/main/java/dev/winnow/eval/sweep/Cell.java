package dev.winnow.eval.sweep;

/**
 * One point of a sweep's grid: a compression spec, and the budget or ratio it was made from.
 *
 * @param baseSpec the spec as the user gave it (e.g. {@code snapkv} or {@code h2o:recent=8})
 * @param spec the spec run (e.g. {@code snapkv:budget=64,window=16})
 * @param budget entries per head, or null
 * @param ratio fraction removed, or null
 */
public record Cell(String baseSpec, String spec, Integer budget, Double ratio) {
    /** The eviction policy's name (the first component's name when there is none). */
    public String policy() {
        return SpecGrid.policy(spec);
    }
}
