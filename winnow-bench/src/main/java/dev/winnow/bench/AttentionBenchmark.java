package dev.winnow.bench;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.codec.KvCodec;
import dev.winnow.model.GroupedAttention;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding attention of one query head over one KV head's store, on the encoded entries:
 * scores ({@code q·k}), softmax, {@code Σ p·v} — and the same over a 1/8 subset of the entries
 * (sparse attention's subset kernels). Head size 64, as the 1B and 135M shapes. For GQA, the
 * three query heads of one KV head (the 135M shape) one after another with those kernels
 * ({@code threeHeadsOneByOne}, the engine before issue 15's grouped attention) and in one grouped
 * split-K pass ({@code threeHeadsGrouped}, {@link GroupedAttention} on one thread). {@code keys}
 * compares the engine's channel-major keys with row-major ones (same codec).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class AttentionBenchmark {
    @Param({"f32", "f16", "int8", "int4"})
    public String codec;
    @Param({"8192"})
    public int entries;
    /** {@code tiled}: keys as the engine stores them (f32/f16 channel-major, {@link KvCodec#newKeyStore}); {@code rows}: row-major. */
    @Param({"tiled", "rows"})
    public String keys;
    static final int HS = 64;

    private HeadStore store;
    private float[] q;
    private float[] scores;
    private float[] out;
    private int[] subset;
    private float[] q3;
    private float[] out3;
    private GroupedAttention grouped;

    @Setup(Level.Trial)
    public void setUp() {
        KvCodec c = switch (codec) {
            case "f32" -> KvCodec.F32;
            case "f16" -> KvCodec.F16;
            case "int8" -> KvCodec.int8(32);
            case "int4" -> KvCodec.asym(4, 32);
            default -> throw new IllegalArgumentException(codec);
        };
        store = new HeadStore(keys.equals("rows") ? c.newStore(HS) : c.newKeyStore(HS), c.newStore(HS));
        float[] k = Weights.gaussian(entries * HS, 3), v = Weights.gaussian(entries * HS, 4);
        for (int i = 0; i < entries; i++) store.append(k, i * HS, v, i * HS, i);
        q = Weights.gaussian(HS, 5);
        scores = new float[entries];
        out = new float[HS];
        subset = new int[entries / 8];
        for (int j = 0; j < subset.length; j++) subset[j] = j * 8 + (j % 8);
        q3 = Weights.gaussian(3 * HS, 6);
        out3 = new float[3 * HS];
        grouped = new GroupedAttention(3, HS, 0.125f);
    }

    @Benchmark
    public float[] threeHeadsOneByOne() {
        for (int h = 0; h < 3; h++) {
            store.scores(q3, h * HS, entries, 0.125f, scores);
            dev.winnow.tensor.Softmax.inPlace(scores, entries);
            java.util.Arrays.fill(out3, h * HS, (h + 1) * HS, 0f);
            store.accumulateValues(scores, entries, out3, h * HS);
        }
        return out3;
    }

    @Benchmark
    public float[] threeHeadsGrouped() {
        grouped.attend(store, q3, 0, null, entries, out3, 0, null);
        return out3;
    }

    @Benchmark
    public float[] full() {
        store.scores(q, 0, entries, 0.125f, scores);
        softmax(scores, entries);
        java.util.Arrays.fill(out, 0f);
        store.accumulateValues(scores, entries, out, 0);
        return out;
    }

    @Benchmark
    public float[] subsetOfAnEighth() {
        int m = subset.length;
        store.scoresAt(q, 0, subset, m, 0.125f, scores);
        softmax(scores, m);
        java.util.Arrays.fill(out, 0f);
        store.accumulateValuesAt(scores, subset, m, out, 0);
        return out;
    }

    private static void softmax(float[] x, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[i]);
        float sum = 0;
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.exp(x[i] - max);
            sum += x[i];
        }
        float inv = 1 / sum;
        for (int i = 0; i < n; i++) x[i] *= inv;
    }
}
