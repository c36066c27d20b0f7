package dev.winnow.bench;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.codec.ComposedPolicy;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.kv.policy.PolicyContext;
import dev.winnow.kv.sparse.SparseAttention;
import dev.winnow.kv.sparse.Selection;
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
 * What choosing costs: one decoding step's selection for one layer of the SmolLM2-135M shape
 * (9 query heads, 3 KV heads of 64, 8192 entries each, budget 1024) — steady state, the
 * per-store structures already built — against that layer's full attention (scores, softmax,
 * weighted values for 9 heads).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SparseSelectBenchmark {
    @Param({"quest", "tokenselect", "hashevict"})
    public String method;
    @Param({"8192"})
    public int entries;
    static final int HS = 64, KV_HEADS = 3, HEADS = 9;

    private KvCache cache;
    private SparseAttention sparse;
    private final Selection selection = new Selection(KV_HEADS);
    private float[] q;
    private float[] q2;
    private boolean flip;
    private float[] scores;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        cache = new KvCache(1, KV_HEADS, HS);
        for (int h = 0; h < KV_HEADS; h++) {
            HeadStore s = cache.head(0, h);
            float[] k = Weights.gaussian(entries * HS, 10 + h), v = Weights.gaussian(entries * HS, 20 + h);
            for (int i = 0; i < entries; i++) s.append(k, i * HS, v, i * HS, i);
        }
        // threshold=1: TokenSelect reuses only for identical queries; the benchmark alternates two, so it always scores
        String spec = method + ":budget=1024" + (method.equals("tokenselect") ? ",threshold=1" : "");
        sparse = (SparseAttention) ((ComposedPolicy) KvSpec.parse(spec).newPolicy()).components().get(0);
        sparse.attach(cache, new PolicyContext(1, KV_HEADS, HEADS, HS, entries + 1, (k, off, d) -> {
        }, null, null, null, PolicyContext.historyOf()));
        q = Weights.gaussian(HEADS * HS, 7);
        q2 = Weights.gaussian(HEADS * HS, 8);
        scores = new float[entries];
        out = new float[HEADS * HS];
    }

    @Benchmark
    public Selection select() {
        flip = !flip;
        sparse.select(0, flip ? q : q2, cache, selection);
        return selection;
    }

    @Benchmark
    public float[] fullAttentionOfTheLayer() {
        for (int h = 0; h < HEADS; h++) {
            HeadStore s = cache.head(0, h / (HEADS / KV_HEADS));
            s.scores(q, h * HS, entries, 0.125f, scores);
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < entries; i++) max = Math.max(max, scores[i]);
            float sum = 0;
            for (int i = 0; i < entries; i++) {
                scores[i] = (float) Math.exp(scores[i] - max);
                sum += scores[i];
            }
            for (int i = 0; i < entries; i++) scores[i] /= sum;
            java.util.Arrays.fill(out, h * HS, (h + 1) * HS, 0f);
            s.accumulateValues(scores, entries, out, h * HS);
        }
        return out;
    }
}
