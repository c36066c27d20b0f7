package dev.winnow.kv.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.SharedData;
import dev.winnow.generate.Session;
import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.KvStats;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bytes per entry of a 4096-token cache of the synthetic model (head size 32, 4 layers × 2 KV
 * heads), measured from the stores, against each codec's theoretical size (scales, zero points,
 * group headers, index bitmaps and the f32 residual window included).
 *
 * <p>The keys and values are the model's own: a 4096-token random prompt is run through a
 * window-256 cache (cheap attention) and every entry is captured as it is evicted; the 4096
 * entries of each layer and head are then appended to a cache with each codec.
 */
class CodecMemoryTest {
    static final int N = 4096;
    static final int HS = 32;
    static float[][][] keys, values; // [layer][head][N * HS]
    static int layers, heads;

    @BeforeAll
    static void capture() {
        try (Model synth = Model.load(SharedData.path("models/synth-llama.gguf"))) {
            assertThat(synth.config().headSize()).isEqualTo(HS);
            layers = synth.config().layers();
            heads = synth.config().kvHeads();
            keys = new float[layers][heads][N * HS];
            values = new float[layers][heads][N * HS];
            int[][] count = new int[layers][heads];
            Session s = new Session(synth, N, 128, KvSpec.parse("window:budget=256").newPolicy());
            KvCache cache = s.cache();
            for (int l = 0; l < layers; l++) {
                for (int h = 0; h < heads; h++) {
                    int layer = l, head = h;
                    cache.head(l, h).evictionHandler((store, keep) -> {
                        for (int i = 0, k = 0; i < store.size(); i++) {
                            if (k < keep.length && keep[k] == i) k++;
                            else capture(store, i, layer, head, count);
                        }
                        store.drop(keep);
                    });
                }
            }
            int[] prompt = new int[N];
            Random r = new Random(9);
            for (int i = 0; i < N; i++) prompt[i] = r.nextInt(synth.config().vocabSize());
            s.prefill(prompt);
            for (int l = 0; l < layers; l++) {
                for (int h = 0; h < heads; h++) {
                    HeadStore store = cache.head(l, h);
                    for (int i = 0; i < store.size(); i++) capture(store, i, l, h, count);
                    assertThat(count[l][h]).isEqualTo(N);
                }
            }
        }
    }

    private static void capture(HeadStore store, int i, int l, int h, int[][] count) {
        int at = store.position(i);
        assertThat(at).isEqualTo(count[l][h]);
        store.key(i, keys[l][h], at * HS);
        store.value(i, values[l][h], at * HS);
        count[l][h]++;
    }

    static KvCache fill(KvStorage storage) {
        KvCache cache = new KvCache(layers, heads, HS);
        cache.useStorage(storage);
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                HeadStore s = cache.head(l, h);
                for (int i = 0; i < N; i++) s.append(keys[l][h], i * HS, values[l][h], i * HS, i, i);
            }
        }
        return cache;
    }

    /**
     * Theoretical bytes of one key + value for a cache of N entries, by KIVI's reference rule
     * (not this implementation's): keys in f32 are the N mod residual not yet flushed (flushed
     * whole at residual; at group when residual is 0), values in f32 the newest min(N, residual).
     */
    static double kivi(int bits, int residual, int group) {
        int keysFull = N % (residual == 0 ? group : residual), keysQuantized = N - keysFull;
        int valuesFull = Math.min(N, residual), valuesQuantized = N - valuesFull;
        double keys = keysQuantized * (HS * bits / 8.0) + (keysQuantized / group) * (HS * 4 + 4.0) + keysFull * HS * 4.0;
        double values = valuesQuantized * (HS * bits / 8.0 + 4) + valuesFull * HS * 4.0;
        return (keys + values) / N;
    }

    /** GEAR on KIVI: KIVI's bytes plus, per quantized token, rank f16; per block a 32 × rank f32 matrix and its count; 7 bytes per outlier. */
    static double gear(int bits, int residual, int group, int rank, double outliers) {
        int quantized = (N - residual) / group * group, blocks = quantized / group;
        double perBlock = HS * rank * 4 + 4 + Math.round(outliers * group * HS) * 7;
        double extra = 2 * (quantized * rank * 2.0 + blocks * perBlock);
        // GEAR's buffer: the newest residual … residual + group − 1 tokens of keys and values in f32
        int full = N - quantized;
        double base = 2 * (quantized * (HS * bits / 8.0) + full * HS * 4.0) + (quantized / group) * (HS * 4 + 4.0) + quantized * 4;
        return base / N + extra / N;
    }

    record Case(String name, KvStorage storage, double theoretical) {
    }

    @Test
    void measuredBytesPerEntryMatchTheTheoreticalSizeWithin5Percent() {
        List<Case> cases = new ArrayList<>(List.of(
                new Case("f32", KvStorage.F32, 2 * HS * 4),
                new Case("f16", KvStorage.of(KvCodec.F16, KvCodec.F16), 2 * HS * 2),
                new Case("bf16", KvStorage.of(KvCodec.BF16, KvCodec.BF16), 2 * HS * 2),
                // keys: + one f32 channel scale per channel per store (4 × 32 bytes per 4096 entries)
                new Case("int8", KvStorage.of(KvCodec.int8(32, true), KvCodec.int8(32)), 2 * 34 + HS * 4.0 / N),
                new Case("int8:smooth=false", KvStorage.of(KvCodec.int8(32), KvCodec.int8(32)), 2 * 34),
                new Case("int4", KvStorage.of(KvCodec.asym(4, 32), KvCodec.asym(4, 32)), 2 * 20),
                new Case("int2", KvStorage.of(KvCodec.asym(2, 32), KvCodec.asym(2, 32)), 2 * 12),
                new Case("k=int8,v=int4", KvStorage.of(KvCodec.int8(32, true), KvCodec.asym(4, 32)), 34 + 20 + HS * 4.0 / N),
                new Case("kivi:bits=2", KvStorage.of(KvCodec.kiviKeys(2, 32, 128), KvCodec.kiviValues(2, 32, 128, 32)), kivi(2, 128, 32)),
                new Case("kivi:bits=4", KvStorage.of(KvCodec.kiviKeys(4, 32, 128), KvCodec.kiviValues(4, 32, 128, 32)), kivi(4, 128, 32)),
                new Case("kivi:bits=2,residual=0", KvStorage.of(KvCodec.kiviKeys(2, 32, 0), KvCodec.kiviValues(2, 32, 0, 32)), kivi(2, 0, 32)),
                new Case("gear:bits=2", KvStorage.of(KvCodec.gearKeys(2, 32, 128, 2, 0.02), KvCodec.gearValues(2, 32, 128, 32, 2, 0.02)),
                        gear(2, 128, 32, 2, 0.02))));
        for (Case c : cases) {
            KvStats st = fill(c.storage()).stats();
            assertThat(st.totalEntries()).isEqualTo((long) layers * heads * N);
            report(c.name(), st, c.theoretical());
            assertThat(st.kvBytesPerEntry()).as(c.name()).isCloseTo(c.theoretical(), org.assertj.core.data.Percentage.withPercentage(5));
            assertThat(st.bytesPerEntry()).as(c.name()).isCloseTo(c.theoretical() + HeadStore.META_BYTES,
                    org.assertj.core.data.Percentage.withPercentage(5));
        }
    }

    @Test
    void mixedPrecisionAndMiniCacheMatchTheirTheoreticalSize() {
        // mixed int8/int2 with every third entry demoted: high 34 bytes, low 12, one bit of index per entry
        KvCodec mixed = KvCodec.mixed(KvCodec.int8(32), KvCodec.asym(2, 32));
        KvCache cache = fill(KvStorage.of(mixed, mixed));
        int[] third = new int[N / 3 + 1];
        int k = 0;
        for (int i = 0; i < N; i += 3) third[k++] = i;
        int[] demoted = java.util.Arrays.copyOf(third, k);
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                ((MixedStore) cache.head(l, h).keyStore()).demote(demoted);
                ((MixedStore) cache.head(l, h).valueStore()).demote(demoted);
            }
        }
        double mixedBytes = 2 * ((double) (N - k) * 34 + k * 12 + N / 8.0) / N;
        KvStats st = cache.stats();
        report("mixed int8/int2, 1/3 low", st, mixedBytes);
        assertThat(st.keyVectors("int2")).isEqualTo((long) layers * heads * k);
        assertThat(st.kvBytesPerEntry()).isCloseTo(mixedBytes, org.assertj.core.data.Percentage.withPercentage(5));

        // MiniCache with start=2 (layers 2 and 3 paired) and angle 180 (everything merges): a merged
        // vector is half a 32-float direction + a magnitude; layers 0–1 stay f32
        dev.winnow.kv.merge.MiniCache mc = new dev.winnow.kv.merge.MiniCache("minicache:start=2,angle=180", 2, 180, 0.5f);
        KvCache merged = new KvCache(layers, heads, HS);
        merged.useStorage(mc.storage(new dev.winnow.kv.policy.PolicyContext(layers, heads, 8, HS, N, null, null, null, null,
                dev.winnow.kv.policy.PolicyContext.historyOf())));
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < N; i++) merged.head(l, h).append(keys[l][h], i * HS, values[l][h], i * HS, i, i);
            }
        }
        mc.merge(merged);
        double f32Layers = 2.0 / layers * 2 * HS * 4;
        double mergedLayers = (layers - 2.0) / layers * 2 * (HS * 2 + 4 + 1 / 8.0 + 1 / 8.0);
        st = merged.stats();
        report("minicache start=2 angle=180", st, f32Layers + mergedLayers);
        assertThat(st.keyVectors("minicache")).isEqualTo((long) (layers - 2) * heads * N);
        assertThat(st.kvBytesPerEntry()).isCloseTo(f32Layers + mergedLayers, org.assertj.core.data.Percentage.withPercentage(5));
    }

    static void report(String name, KvStats st, double theoretical) {
        System.out.printf(Locale.ROOT, "memory %-28s measured %8.2f B/entry (K+V), theoretical %8.2f, %+.2f%%; with positions+stats %.2f;"
                        + " allocated %.2f B/entry; %.2f bits/value%n", name, st.kvBytesPerEntry(), theoretical,
                100 * (st.kvBytesPerEntry() / theoretical - 1), st.bytesPerEntry(),
                (double) st.bytesAllocated() / st.totalEntries(), st.bitsPerValue());
    }
}
