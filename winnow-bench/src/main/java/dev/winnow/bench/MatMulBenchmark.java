package dev.winnow.bench;

import dev.winnow.tensor.FloatTensor;
import dev.winnow.tensor.GgmlType;
import dev.winnow.tensor.MatMul;
import dev.winnow.tensor.Parallel;
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
 * Prefill's kernel: a batch of activations × an encoded weight matrix (each weight row decoded
 * once per batch, 4×4 register tiles), at the 1B model's Q/O projection shape (2048 × 2048).
 * Multiply-adds per call ÷ time = the GFLOP/s reached.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatMulBenchmark {
    @Param({"Q8_0", "Q4_0", "Q4_K", "F32"})
    public String type;
    @Param({"128"})
    public int batch;
    @Param({"2048"})
    public int rows;
    @Param({"2048"})
    public int cols;
    @Param({"2"})
    public int threads;

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
        x = Weights.gaussian(batch * cols, 1);
        out = new float[batch * rows];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        par.close();
        arena.close();
    }

    @Benchmark
    public float[] matmul() {
        MatMul.matmul(par, w, rows, cols, x, batch, out);
        return out;
    }
}
