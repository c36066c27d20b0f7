package dev.winnow.kv.policy;

/**
 * Deterministic noise for policies with a {@code seed}: a value is a hash (SplitMix64 finaliser)
 * of the seed and a few coordinates, so it does not depend on the order in which threads ask for
 * it (attention recorders run in parallel over KV heads) and the same seed gives the same run.
 */
final class SeededNoise {
    private SeededNoise() {
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A 64-bit hash of the seed and the coordinates. */
    static long hash(long seed, int a, int b, int c, int d) {
        long h = mix(seed + 0x9E3779B97F4A7C15L);
        h = mix(h + a);
        h = mix(h + b);
        h = mix(h + c);
        return mix(h + d);
    }

    /** Uniform in the open interval (0, 1). */
    static double uniform(long seed, int a, int b, int c, int d) {
        return ((hash(seed, a, b, c, d) >>> 11) + 0.5) * 0x1.0p-53;
    }

    /** Standard Gumbel(0, 1): {@code −ln(−ln u)}. */
    static double gumbel(long seed, int a, int b, int c, int d) {
        return -Math.log(-Math.log(uniform(seed, a, b, c, d)));
    }
}
