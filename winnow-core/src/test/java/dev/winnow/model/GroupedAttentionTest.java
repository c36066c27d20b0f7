package dev.winnow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.codec.F16Store;
import dev.winnow.kv.codec.F32Store;
import dev.winnow.kv.codec.Int8Store;
import dev.winnow.kv.codec.VectorStore;
import dev.winnow.tensor.Parallel;
import java.util.Arrays;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The grouped split-K attention against a reference kernel (double-precision softmax attention
 * over the decoded keys and values, plus logit biases) on awkward shapes — one entry, chunk
 * boundaries ±1, odd chunk counts, ragged heads, one thread and more threads than chunks — and the
 * determinism the engine relies on: the same bits for any thread count, for one thread doing
 * every chunk, and for a list naming every entry.
 */
class GroupedAttentionTest {
    private static final int[] COUNTS = {1, 2, 255, 256, 257, 513, 1000};
    private static Parallel one, two, seven;

    @BeforeAll
    static void pools() {
        one = new Parallel(1);
        two = new Parallel(2);
        seven = new Parallel(7);
    }

    @AfterAll
    static void close() {
        one.close();
        two.close();
        seven.close();
    }

    record Codec(String name, IntFunction<VectorStore> keys, IntFunction<VectorStore> values) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final Codec[] CODECS = {
            new Codec("f32", F32Store::new, F32Store::new),
            new Codec("f16", d -> new F16Store(d, false), d -> new F16Store(d, false)),
            new Codec("int8", d -> new Int8Store(d, Math.min(32, d), true), d -> new Int8Store(d, Math.min(32, d))),
    };

    /** A one-layer cache: KV head h holds counts[h] random entries, a few with a logit bias. */
    private static KvCache cache(Codec codec, int hs, int[] counts, Random r) {
        KvCache cache = new KvCache(1, counts.length, hs);
        float[] k = new float[hs], v = new float[hs];
        for (int h = 0; h < counts.length; h++) {
            HeadStore store = cache.head(0, h);
            store.useVectors(codec.keys().apply(hs), codec.values().apply(hs));
            for (int i = 0; i < counts[h]; i++) {
                for (int c = 0; c < hs; c++) {
                    k[c] = (float) (r.nextGaussian() * (c % 7 == 0 ? 3 : 1));
                    v[c] = (float) r.nextGaussian();
                }
                store.append(k, 0, v, 0, i);
            }
            for (int i = 0; i < counts[h]; i += 97) store.addLogitBias(i, 0.5f);
        }
        return cache;
    }

    /** Softmax attention in double over the decoded entries {@code list} (null: all {@code count}). */
    private static double[] reference(HeadStore store, float[] q, int qOff, int[] list, int count, float scale,
                                      double[] probs) {
        int hs = store.headSize();
        float[] k = new float[hs], v = new float[hs];
        double[] s = new double[count];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < count; j++) {
            int e = list == null ? j : list[j];
            store.key(e, k, 0);
            double dot = 0;
            for (int c = 0; c < hs; c++) dot += (double) q[qOff + c] * k[c];
            s[j] = scale * dot + store.logitBias(e);
            max = Math.max(max, s[j]);
        }
        double sum = 0;
        for (int j = 0; j < count; j++) sum += s[j] = Math.exp(s[j] - max);
        double[] out = new double[hs];
        for (int j = 0; j < count; j++) {
            int e = list == null ? j : list[j];
            store.value(e, v, 0);
            double p = s[j] / sum;
            if (probs != null) probs[e] += p;
            for (int c = 0; c < hs; c++) out[c] += p * v[c];
        }
        return out;
    }

    private static float[] queries(Random r, int n) {
        float[] q = new float[n];
        for (int i = 0; i < n; i++) q[i] = (float) r.nextGaussian();
        return q;
    }

    private static void assertClose(float[] got, int off, double[] want, String what) {
        for (int c = 0; c < want.length; c++) {
            assertThat((double) got[off + c]).as("%s channel %d", what, c).isCloseTo(want[c], within(2e-5 + 2e-5 * Math.abs(want[c])));
        }
    }

    private static float[] decode(GroupedAttention ga, Parallel par, KvCache cache, float[] q, int[][] lists, int[] counts,
                                  int width) {
        float[] att = new float[counts.length * width];
        int chunks = 0;
        for (int c : counts) chunks += GroupedAttention.chunks(c);
        ga.decode(par, cache, 0, q, 0, lists, counts, att, 0, new float[chunks * ga.partSize()]);
        return att;
    }

    @Test
    void decodeMatchesTheReferenceAndIsTheSameForAnyThreadCount() {
        Random r = new Random(11);
        for (Codec codec : CODECS) {
            for (int hs : new int[] {8, 64}) {
                for (int group : new int[] {1, 3}) {
                    for (int count : COUNTS) {
                        // ragged: KV head h holds count + 37·h entries
                        int[] counts = {count, count + 37, count + 74};
                        KvCache cache = cache(codec, hs, counts, r);
                        float scale = (float) (1 / Math.sqrt(hs));
                        GroupedAttention ga = new GroupedAttention(group, hs, scale);
                        int width = group * hs;
                        float[] q = queries(r, counts.length * width);
                        int[][] all = new int[counts.length][];
                        float[] att1 = decode(ga, one, cache, q, all, counts, width);
                        float[] att2 = decode(ga, two, cache, q, all, counts, width);
                        float[] att7 = decode(ga, seven, cache, q, all, counts, width);
                        String what = codec + " hs " + hs + " group " + group + " count " + count;
                        assertThat(att2).as(what + ", 2 threads").containsExactly(att1);
                        assertThat(att7).as(what + ", 7 threads").containsExactly(att1);
                        float[] serial = new float[att1.length];
                        int[][] listed = new int[counts.length][];
                        for (int h = 0; h < counts.length; h++) {
                            ga.attend(cache.head(0, h), q, h * width, null, counts[h], serial, h * width, null);
                            listed[h] = IntStream.range(0, counts[h]).toArray();
                        }
                        assertThat(serial).as(what + ", one thread doing every chunk").containsExactly(att1);
                        assertThat(decode(ga, two, cache, q, listed, counts, width)).as(what + ", every entry listed")
                                .containsExactly(att1);
                        for (int h = 0; h < counts.length; h++) {
                            for (int g = 0; g < group; g++) {
                                int off = h * width + g * hs;
                                assertClose(att1, off, reference(cache.head(0, h), q, off, null, counts[h], scale, null),
                                        what + " head " + h + "/" + g);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void sparseListsMatchTheReferenceOverTheListedEntries() {
        Random r = new Random(12);
        for (Codec codec : CODECS) {
            int hs = 64, group = 3;
            int[] counts = {1, 300, 1000};
            KvCache cache = cache(codec, hs, counts, r);
            float scale = 0.125f;
            GroupedAttention ga = new GroupedAttention(group, hs, scale);
            int width = group * hs;
            float[] q = queries(r, counts.length * width);
            int[][] lists = new int[counts.length][];
            int[] listed = new int[counts.length];
            for (int h = 0; h < counts.length; h++) {
                int size = counts[h];
                lists[h] = IntStream.range(0, size).filter(i -> i % 3 == 0 || i == size - 1).toArray();
                listed[h] = lists[h].length;
            }
            float[] att = decode(ga, two, cache, q, lists, listed, width);
            assertThat(decode(ga, one, cache, q, lists, listed, width)).as("%s, 1 thread", codec).containsExactly(att);
            for (int h = 0; h < counts.length; h++) {
                for (int g = 0; g < group; g++) {
                    int off = h * width + g * hs;
                    assertClose(att, off, reference(cache.head(0, h), q, off, lists[h], listed[h], scale, null),
                            codec + " sparse head " + h + "/" + g);
                }
            }
        }
    }

    @Test
    void recordedProbabilitiesAreTheGroupsSummedSoftmax() {
        Random r = new Random(13);
        int hs = 64, group = 3, count = 700;
        KvCache cache = cache(CODECS[0], hs, new int[] {count}, r);
        float scale = 0.125f;
        GroupedAttention ga = new GroupedAttention(group, hs, scale);
        float[] q = queries(r, group * hs);
        HeadStore store = cache.head(0, 0);
        float[] probs = new float[count], att = new float[group * hs];
        ga.attend(store, q, 0, null, count, att, 0, probs);
        double[] want = new double[count];
        for (int g = 0; g < group; g++) reference(store, q, g * hs, null, count, scale, want);
        double total = 0;
        for (int i = 0; i < count; i++) {
            assertThat((double) probs[i]).as("entry %d", i).isCloseTo(want[i], within(1e-6 + 1e-5 * want[i]));
            total += probs[i];
        }
        assertThat(total).isCloseTo(group, within(1e-4));
        // recording does not change the output
        float[] plain = new float[att.length];
        ga.attend(store, q, 0, null, count, plain, 0, null);
        assertThat(att).containsExactly(plain);
        // a sparse list records only its entries
        int[] list = {0, 5, 699};
        float[] recorded = new float[count];
        ga.attend(store, q, 0, list, list.length, att, 0, recorded);
        assertThat(IntStream.range(0, count).filter(i -> recorded[i] != 0).toArray()).containsExactly(list);
        assertThat(recorded[0] + recorded[5] + recorded[699]).isCloseTo(group, within(1e-5f));
        assertThat(Arrays.stream(list).mapToDouble(i -> recorded[i]).min().orElseThrow()).isPositive();
    }
}
