package dev.winnow.eval.task;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates MQAR recall sequences with the layout {@code recall-mqar.gguf} was trained on
 * ({@code ../shared/docs/recall-task.md}), from a seed: one random stream for the whole set,
 * sequences drawn in order, as the reference generator does (with Java's {@link SplittableRandom},
 * not numpy's PCG64: same distribution, different sequences).
 *
 * <pre>
 * position 0        BOS (id 1)
 * 1–128             64 pairs k v: keys distinct, ids 10–137; values ids 200–327 (repeats possible)
 * 129–447           319 filler tokens, ids 340–499
 * 448–511           32 queries q a: q one of the keys (distinct, random order), a its value
 * </pre>
 */
public final class RecallGenerator {
    public static final int BOS = 1;
    public static final int PAIRS = 64, QUERIES = 32, FILLER = 319;
    public static final int KEY_MIN = 10, KEY_COUNT = 128;
    public static final int VALUE_MIN = 200, VALUE_COUNT = 128;
    public static final int FILLER_MIN = 340, FILLER_COUNT = 160;
    /** Tokens per sequence: BOS + pairs + filler + queries (512). */
    public static final int LENGTH = 1 + 2 * PAIRS + FILLER + 2 * QUERIES;
    /** Position of the first query (448). */
    public static final int QUERY_START = 1 + 2 * PAIRS + FILLER;
    /** The largest token id a sequence uses (499): a model's vocabulary must be larger. */
    public static final int MAX_TOKEN = FILLER_MIN + FILLER_COUNT - 1;

    private RecallGenerator() {
    }

    /** {@code count} sequences for a seed (the same seed gives the same sequences). */
    public static List<RecallSequence> generate(long seed, int count) {
        if (count < 1) throw new IllegalArgumentException("recall: sequences must be >= 1, got " + count);
        SplittableRandom rnd = Seeds.random(seed, 0x4D514152L); // "MQAR"
        List<RecallSequence> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(next(rnd));
        return out;
    }

    private static RecallSequence next(SplittableRandom rnd) {
        int[] keys = permutationPrefix(rnd, KEY_COUNT, PAIRS);
        int[] vals = new int[PAIRS];
        for (int i = 0; i < PAIRS; i++) {
            keys[i] += KEY_MIN;
            vals[i] = VALUE_MIN + rnd.nextInt(VALUE_COUNT);
        }
        int[] tokens = new int[LENGTH];
        int t = 0;
        tokens[t++] = BOS;
        for (int i = 0; i < PAIRS; i++) {
            tokens[t++] = keys[i];
            tokens[t++] = vals[i];
        }
        for (int i = 0; i < FILLER; i++) tokens[t++] = FILLER_MIN + rnd.nextInt(FILLER_COUNT);
        int[] qi = permutationPrefix(rnd, PAIRS, QUERIES);
        int[] positions = new int[QUERIES], expected = new int[QUERIES];
        for (int j = 0; j < QUERIES; j++) {
            positions[j] = t;
            expected[j] = vals[qi[j]];
            tokens[t++] = keys[qi[j]];
            tokens[t++] = vals[qi[j]];
        }
        return new RecallSequence(tokens, positions, expected);
    }

    /** The first {@code k} entries of a uniformly random permutation of 0..n-1 (partial Fisher–Yates). */
    static int[] permutationPrefix(SplittableRandom rnd, int n, int k) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int i = 0; i < k; i++) {
            int j = i + rnd.nextInt(n - i);
            int x = a[i];
            a[i] = a[j];
            a[j] = x;
        }
        return java.util.Arrays.copyOf(a, k);
    }
}
