package dev.winnow.kv.policy;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.tokenizer.Tokenizer;
import java.nio.file.Path;

/**
 * Hand-made caches for policy unit tests: head size 4, entry {@code i} of a head at position
 * {@code i}, its key {@code (a_i, 0, 0, 0)} and value {@code (i, 0, 0, 0)}. A window query
 * {@code (2, 0, 0, 0)} then gives entry {@code i} the raw score {@code a_i} (scale 1/√4), so
 * its attention is proportional to {@code e^{a_i}}.
 */
final class TinyCaches {
    static final int HEAD_SIZE = 4;

    private TinyCaches() {
    }

    /** {@code a[layer][kvHead][entry]}: the first key component of each entry. */
    static KvCache cache(float[][][] a) {
        KvCache cache = new KvCache(a.length, a[0].length, HEAD_SIZE);
        for (int l = 0; l < a.length; l++) {
            for (int h = 0; h < a[l].length; h++) {
                HeadStore s = cache.head(l, h);
                for (int i = 0; i < a[l][h].length; i++) {
                    s.append(new float[] {a[l][h][i], 0, 0, 0}, 0, new float[] {i, 0, 0, 0}, 0, i, i);
                }
            }
        }
        return cache;
    }

    /** The same keys in every layer and head. */
    static KvCache cache(int layers, int kvHeads, float... a) {
        float[][][] all = new float[layers][kvHeads][];
        for (int l = 0; l < layers; l++) for (int h = 0; h < kvHeads; h++) all[l][h] = a;
        return cache(all);
    }

    /** Entries with zero keys (for policies that do not score). */
    static KvCache plain(int layers, int kvHeads, int entries) {
        return cache(layers, kvHeads, new float[entries]);
    }

    static PolicyContext ctx(int layers, int kvHeads, int heads, Tokenizer tok, Path model, HeadProfiler profiler,
                             int... history) {
        return new PolicyContext(layers, kvHeads, heads, HEAD_SIZE, 512, (k, off, d) -> {
        }, tok, model, profiler, PolicyContext.historyOf(history));
    }

    static PolicyContext ctx(int layers, int kvHeads, int heads) {
        return ctx(layers, kvHeads, heads, null, null, null);
    }

    /** Adds {@code count} window queries {@code (2, 0, 0, 0)} for every query head of every layer. */
    static void windowQueries(KvCache cache, int heads, int count) {
        float[] q = new float[heads * HEAD_SIZE];
        for (int h = 0; h < heads; h++) q[h * HEAD_SIZE] = 2;
        for (int j = 0; j < count; j++) for (int l = 0; l < cache.layers(); l++) cache.queries().add(l, q, 0);
    }

    /** The positions a head holds, in order. */
    static int[] positions(KvCache cache, int layer, int kvHead) {
        HeadStore s = cache.head(layer, kvHead);
        int[] p = new int[s.size()];
        for (int i = 0; i < p.length; i++) p[i] = s.position(i);
        return p;
    }

    static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }

    static int[] concat(int[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
    }
}
