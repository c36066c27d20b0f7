package dev.winnow.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A read-only tensor of {@code size} elements stored in its encoded GGML form in a
 * {@link MemorySegment} (usually a slice of a memory-mapped GGUF file). Subclasses implement
 * dequantization and a dot product with a float vector that works on the encoded blocks.
 * Offsets and lengths are in elements; for block types they must be block-aligned.
 */
public abstract class FloatTensor {
    static final VectorSpecies<Float> F_SPECIES = FloatVector.SPECIES_PREFERRED;
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Whether the Vector API path is used (it is unless -Dwinnow.vector=false). */
    static final boolean USE_VECTOR = !"false".equals(System.getProperty("winnow.vector"))
            && F_SPECIES.length() >= 8;
    /** Whether kernels outside this package should take their Vector API path ({@link #USE_VECTOR}). */
    public static boolean vectorized() {
        return USE_VECTOR;
    }

    /**
     * Whether Q8_0 and Q4_0 matrix–vector products quantize their input to 8 bits (as llama.cpp does) and
     * use the 16-bit-lane kernel ({@link Q8Activations}): with 512-bit vectors, unless
     * -Dwinnow.activations=float keeps every product in float.
     */
    static final boolean Q8_KERNELS = USE_VECTOR && F_SPECIES.length() == 16
            && !"float".equals(System.getProperty("winnow.activations"));

    protected final MemorySegment segment;
    protected final long size;

    protected FloatTensor(MemorySegment segment, long size) {
        this(segment, size, type -> type.byteSize(size));
    }

    /** For layouts other than GGML's: {@code need} gives the bytes {@code segment} must hold. */
    FloatTensor(MemorySegment segment, long size, java.util.function.ToLongFunction<GgmlType> need) {
        long needed = need.applyAsLong(type());
        if (segment.byteSize() < needed) {
            throw new IllegalArgumentException(type() + " tensor of " + size + " elements needs " + needed
                    + " bytes, segment has " + segment.byteSize());
        }
        this.segment = segment;
        this.size = size;
    }

    /** Wraps encoded bytes as a tensor of the given type. */
    public static FloatTensor of(GgmlType type, MemorySegment segment, long size) {
        return switch (type) {
            case F32 -> new F32Tensor(segment, size);
            case F16 -> new F16Tensor(segment, size);
            case BF16 -> new BF16Tensor(segment, size);
            case Q8_0 -> new Q8_0Tensor(segment, size);
            case Q4_0 -> new Q4_0Tensor(segment, size);
            case Q4_K -> new Q4_KTensor(segment, size);
            case Q5_K -> new Q5_KTensor(segment, size);
            case Q6_K -> new Q6_KTensor(segment, size);
            default -> throw new UnsupportedTensorTypeException(type);
        };
    }

    public abstract GgmlType type();

    public long size() {
        return size;
    }

    public MemorySegment segment() {
        return segment;
    }

    /** Bytes of encoded data read to use every element once (the segment; repacked layouts add their scales). */
    public long byteSize() {
        return segment.byteSize();
    }

    /** Element {@code index} (slow path: for tests and single values). */
    public abstract float getFloat(long index);

    /** Dot product of elements {@code [offset, offset+n)} with {@code x[xOffset, xOffset+n)}. */
    public abstract float dot(long offset, float[] x, int xOffset, int n);

    /**
     * The dot products of elements {@code [offset, offset+n)} with {@code count} vectors
     * {@code x[xOffset + b·n, …)}, into {@code out[outOffset + b·outStride]}: each bit for bit
     * {@link #dot(long, float[], int, int)}. Types override it to decode the weights once for all
     * the vectors (batched decoding).
     */
    public void dots(long offset, float[] x, int xOffset, int count, int n, float[] out, int outOffset, int outStride) {
        for (int b = 0; b < count; b++) out[outOffset + b * outStride] = dot(offset, x, xOffset + b * n, n);
    }

    /**
     * Whether this type has a kernel for 8-bit activations ({@link #dot(long, Q8Activations, int)}),
     * faster than {@link #dot(long, float[], int, int)} on this CPU. False unless overridden.
     */
    public boolean takesQ8Activations() {
        return false;
    }

    /**
     * Dot product of elements {@code [offset, offset+n)} with the quantized activations
     * {@code x[0, n)}; only for types whose {@link #takesQ8Activations()} is true.
     */
    public float dot(long offset, Q8Activations x, int n) {
        throw new UnsupportedOperationException(type() + " has no kernel for 8-bit activations");
    }

    /**
     * {@link #dot(long, Q8Activations, int)} of elements {@code [offset, offset+n)} with
     * {@code count} quantized vectors {@code x[0 … count-1]}, into
     * {@code out[outOffset + b·outStride]}: each bit for bit the one-vector call. Types override it
     * to decode each weight block once for all the vectors (batched decoding, draft verification).
     */
    public void dots(long offset, Q8Activations[] x, int count, int n, float[] out, int outOffset, int outStride) {
        for (int b = 0; b < count; b++) out[outOffset + b * outStride] = dot(offset, x[b], n);
    }

    /**
     * {@code out[outOff + r] = row r · x[xOff, xOff + cols)} for rows {@code [from, to)} of this
     * tensor seen as a matrix of {@code cols} columns: with {@code q} (the same input quantized,
     * non-null exactly when {@link #takesQ8Activations()}) through the 8-bit kernel. Repacked
     * layouts override this to compute {@link #rowsPerPass()} rows per pass over the input
     * ({@link InterleavedTensor}); the results are the bits of {@link #dot} row by row.
     */
    public void dotRows(int from, int to, int cols, float[] x, int xOff, Q8Activations q, float[] out, int outOff) {
        if (q != null) {
            for (int r = from; r < to; r++) out[outOff + r] = dot((long) r * cols, q, cols);
        } else {
            for (int r = from; r < to; r++) out[outOff + r] = dot((long) r * cols, x, xOff, cols);
        }
    }

    /** Rows {@link #dotRows} computes together (ranges aligned to it waste no work): 1 unless repacked. */
    public int rowsPerPass() {
        return 1;
    }

    /** Decodes elements {@code [offset, offset+n)} into {@code out[outOffset, …)}. */
    public abstract void dequantize(long offset, float[] out, int outOffset, int n);

    /** All elements as floats (for tests and small tensors). */
    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(size)];
        dequantize(0, out, 0, out.length);
        return out;
    }

    /** {@link FloatTensor#sum}'s fixed-order sum of the 16 lanes at {@code v[at …]}: halves, quarters, then pairs. */
    static float sum16(float[] v, int at) {
        float h0 = v[at] + v[at + 8], h1 = v[at + 1] + v[at + 9], h2 = v[at + 2] + v[at + 10], h3 = v[at + 3] + v[at + 11];
        float h4 = v[at + 4] + v[at + 12], h5 = v[at + 5] + v[at + 13], h6 = v[at + 6] + v[at + 14], h7 = v[at + 7] + v[at + 15];
        float q0 = h0 + h4, q1 = h1 + h5, q2 = h2 + h6, q3 = h3 + h7;
        return (q0 + q2) + (q1 + q3);
    }

    static float f16(MemorySegment s, long byteOffset) {
        return Float.float16ToFloat(s.get(SHORT_LE, byteOffset));
    }

    /**
     * The sum of a vector's lanes in a fixed order (a tree of lane-wise adds). Unlike
     * {@code reduceLanes(ADD)}, whose order may differ between the interpreter and compiled
     * code, this gives bit-identical results however the JIT has compiled the caller — so
     * the same computation always produces the same logits.
     */
    public static float sum(FloatVector v) {
        if (v.length() == 16) {
            // 512 → 256 → 128 bits by adding halves (lane-wise, exact order), then 4 lanes in sequence.
            FloatVector h = ((FloatVector) v.reinterpretShape(FloatVector.SPECIES_256, 0))
                    .add((FloatVector) v.reinterpretShape(FloatVector.SPECIES_256, 1));
            FloatVector q = ((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 0))
                    .add((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 1));
            return (q.lane(0) + q.lane(2)) + (q.lane(1) + q.lane(3));
        }
        return sumLanes(v);
    }

    private static float sumLanes(FloatVector v) {
        float s = 0;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
        return s;
    }

    /** {@code y[yOff + i] += a × x[xOff + i]} for {@code i < n}, vectorised (lane-wise FMAs, so no order to vary). */
    public static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        if (USE_VECTOR && n >= F_SPECIES.length()) {
            FloatVector av = FloatVector.broadcast(F_SPECIES, a);
            int upper = F_SPECIES.loopBound(n);
            for (; i < upper; i += F_SPECIES.length()) {
                FloatVector.fromArray(F_SPECIES, x, xOff + i).fma(av, FloatVector.fromArray(F_SPECIES, y, yOff + i))
                        .intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) y[yOff + i] = Math.fma(a, x[xOff + i], y[yOff + i]);
    }

    /** Plain float dot product, vectorised. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        float sum = 0f;
        if (USE_VECTOR && n >= F_SPECIES.length()) {
            FloatVector acc = FloatVector.zero(F_SPECIES);
            int upper = F_SPECIES.loopBound(n);
            for (; i < upper; i += F_SPECIES.length()) {
                acc = FloatVector.fromArray(F_SPECIES, a, aOff + i).fma(FloatVector.fromArray(F_SPECIES, b, bOff + i), acc);
            }
            sum = sum(acc);
        }
        for (; i < n; i++) sum += a[aOff + i] * b[bOff + i];
        return sum;
    }
}
