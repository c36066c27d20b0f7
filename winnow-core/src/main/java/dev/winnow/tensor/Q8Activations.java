package dev.winnow.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * An activation vector quantized to 8 bits per block of 32, exactly as llama.cpp quantizes the
 * input of a Q8_0 or Q4_0 matrix product ({@code quantize_row_q8_0}): {@code x[i] ≈ d[i / 32] × q[i]}
 * with {@code q = rint(x · (127 / max|x|))} (ties to even, so {@code |q| ≤ 127}) and
 * {@code d = max|x| / 127} rounded to f16, as {@code block_q8_0} stores it.
 *
 * <p>Why: the float kernels are bound by widening and converting every weight to float (this
 * CPU runs 512-bit operations as two 256-bit halves). With the input in 8 bits, a block's
 * products are summed in 16-bit lanes and only one 16-lane vector per block is converted to
 * float (Q4_0: 1B decoding 14.5 → 16.5 tok/s; Q8_0: 1.29× in JMH, docs/benchmarks.md). The codes
 * are stored as shorts so the kernels load them without widening.
 *
 * <p>One instance is reused for every product of a thread (see {@link #forCurrentThread}).
 */
public final class Q8Activations {
    static final int BLOCK = 32;
    private static final VectorSpecies<Float> F16L = FloatVector.SPECIES_512;
    private static final VectorSpecies<Short> S16L = ShortVector.SPECIES_256;
    /** Adding and subtracting 1.5 × 2²³ rounds a float of magnitude < 2²² to the nearest integer (ties to even). */
    private static final float ROUND = 12582912f;
    private static final ThreadLocal<Q8Activations> SCRATCH = ThreadLocal.withInitial(Q8Activations::new);

    private short[] q = new short[0];
    /** The codes again as floats, for the several-vector kernels (integers below 2⁸: exact). */
    private float[] qf = new float[0];
    private float[] d = new float[0];
    private int length;
    /** Codes held as floats: {@link #length} when the last quantize kept them, else 0. */
    private int floatLength;

    /** This thread's reusable instance (activations are quantized once by the thread that then shares them). */
    public static Q8Activations forCurrentThread() {
        return SCRATCH.get();
    }

    /** Quantizes {@code x[0, n)}; {@code n} must be a multiple of 32. Returns this. */
    public Q8Activations quantize(float[] x, int n) {
        return quantize(x, n, true);
    }

    /**
     * As {@link #quantize(float[], int)}; {@code withFloatCodes} also keeps the codes as floats for
     * the several-vector kernels ({@link FloatTensor#dots(long, Q8Activations[], int, int, float[], int, int)}).
     * The one-vector path skips that copy.
     */
    public Q8Activations quantize(float[] x, int n, boolean withFloatCodes) {
        if (n % BLOCK != 0) throw new IllegalArgumentException("length " + n + " is not a multiple of " + BLOCK);
        if (q.length < n) {
            q = new short[n];
            qf = new float[n];
            d = new float[n / BLOCK];
        }
        length = n;
        if (FloatTensor.USE_VECTOR && F16L.length() == FloatTensor.F_SPECIES.length()) {
            for (int j = 0; j < n; j += BLOCK) {
                FloatVector v0 = FloatVector.fromArray(F16L, x, j), v1 = FloatVector.fromArray(F16L, x, j + 16);
                float amax = v0.abs().max(v1.abs()).reduceLanes(VectorOperators.MAX);
                float inv = amax == 0f ? 0f : 127f / amax;
                d[j / BLOCK] = f16Scale(amax);
                ((ShortVector) v0.mul(inv).add(ROUND).sub(ROUND).convertShape(VectorOperators.F2S, S16L, 0)).intoArray(q, j);
                ((ShortVector) v1.mul(inv).add(ROUND).sub(ROUND).convertShape(VectorOperators.F2S, S16L, 0)).intoArray(q, j + 16);
            }
        } else {
            for (int j = 0; j < n; j += BLOCK) {
                float amax = 0f;
                for (int k = 0; k < BLOCK; k++) amax = Math.max(amax, Math.abs(x[j + k]));
                float inv = amax == 0f ? 0f : 127f / amax;
                d[j / BLOCK] = f16Scale(amax);
                for (int k = 0; k < BLOCK; k++) q[j + k] = (short) ((x[j + k] * inv + ROUND) - ROUND);
            }
        }
        floatLength = 0;
        if (withFloatCodes) {
            for (int i = 0; i < n; i++) qf[i] = q[i];
            floatLength = n;
        }
        return this;
    }

    /** llama.cpp's block scale: {@code max|x| / 127} rounded to f16, as its {@code block_q8_0} stores it. */
    static float f16Scale(float amax) {
        return Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
    }

    /** Number of quantized values. */
    public int length() {
        return length;
    }

    /** Code {@code i} (in −127…127). */
    public int code(int i) {
        return q[i];
    }

    /** Scale of block {@code b}. */
    public float scale(int b) {
        return d[b];
    }

    short[] codes() {
        return q;
    }

    float[] scales() {
        return d;
    }

    float[] floatCodes() {
        if (floatLength != length) throw new IllegalStateException("quantized without float codes");
        return qf;
    }
}
