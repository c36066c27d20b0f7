package dev.winnow.eval.task;

import java.util.SplittableRandom;

/** Deterministic random streams for generators: one per (seed, coordinates) so items do not depend on each other. */
final class Seeds {
    private Seeds() {
    }

    static SplittableRandom random(long seed, long... coordinates) {
        long h = seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        for (long c : coordinates) h = mix(h ^ (c + 0x9E3779B97F4A7C15L));
        return new SplittableRandom(mix(h));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A number of exactly {@code digits} digits (no leading zero). */
    static String number(SplittableRandom rnd, int digits) {
        StringBuilder sb = new StringBuilder();
        sb.append((char) ('1' + rnd.nextInt(9)));
        for (int i = 1; i < digits; i++) sb.append((char) ('0' + rnd.nextInt(10)));
        return sb.toString();
    }

    /** Simple English words (values and keys of generated facts). */
    static final String[] WORDS = {"apple", "river", "candle", "garden", "pencil", "rabbit", "window", "butter",
        "forest", "kitten", "rocket", "silver", "pirate", "tomato", "dragon", "meadow", "button", "island", "violin",
        "pepper", "castle", "pillow", "turtle", "banana", "helmet", "mirror", "orange", "parrot", "saddle", "wizard",
        "anchor", "basket", "cactus", "donkey", "feather", "ginger", "hammer", "jacket", "lemon", "magnet"};

    static final String[] ADJECTIVES = {"brave", "quiet", "happy", "little", "golden", "sleepy", "shiny", "clever",
        "gentle", "purple", "sunny", "windy", "fuzzy", "lucky", "proud", "silly", "tiny", "wild", "calm", "bright"};

    static String word(SplittableRandom rnd) {
        return WORDS[rnd.nextInt(WORDS.length)];
    }

    /** Five random capital letters (RULER's variable names). */
    static String variable(SplittableRandom rnd) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5; i++) sb.append((char) ('A' + rnd.nextInt(26)));
        return sb.toString();
    }
}
