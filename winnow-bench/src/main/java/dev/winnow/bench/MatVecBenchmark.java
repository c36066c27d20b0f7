package dev.winnow.bench;

import dev.winnow.tensor.FloatTensor;
import dev.winnow.tensor.GgmlType;
import dev.winnow.tensor.MatMul;
import dev.winnow.tensor.Parallel;
import dev.winnow.tensor.Repacker;
import java.lang.foreign.Arena;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding's kernel: matrix × vector with the weights in their encoded form (fused
 * dequantize-dot), at the shape of the 1B model's FFN down projection (2048 × 8192). Bytes of
 * weights per call ÷ time = the bandwidth the kernel reaches.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatVecBenchmark {
    @Param({"Q8_0", "Q4_0", "Q4_K", "Q6_K", "F16", "F32"})
    public String type;
    @Param({"2048"})
    public int rows;
    @Param({"8192"})
    public int cols;
    @Param({"2"})
    public int threads;
    /** Q8_0/Q4_0 in the row-interleaved layout made at load ({@code Repacker}); false: the plain GGUF blocks. */
    @Param({"true", "false"})
    public boolean repack;
    /** Tokens per {@code matvecRows} call (batched decoding of several sequences, draft verification). */
    @Param({"1"})
    public int tokens;

    private Arena arena;
    private Parallel par;
    private FloatTensor w;
    private float[] x;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        par = new Parallel(threads);
        w = Weights.matrix(GgmlType.valueOf(type), rows, cols, arena);
        if (repack) w = Repacker.repack(w, rows, cols, arena, false);
        x = Weights.gaussian(cols * tokens, 1);
        out = new float[rows * tokens];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        par.close();
        arena.close();
    }

    @Benchmark
    public float[] matvec() {
        MatMul.matvec(par, w, rows, cols, x, out);
        return out;
    }

    /** The same product through {@code MatMul.matvecRows}, the path decoding takes (Transformer.linear). */
    @Benchmark
    public float[] matvecRows() {
        MatMul.matvecRows(par, new FloatTensor[] {w}, new int[] {rows}, cols, x, 0, tokens, new float[][] {out});
        return out;
    }
}
