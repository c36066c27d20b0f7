package dev.winnow.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Encoders from floats to GGML blocks, for writing synthetic models and for tests. Supported:
 * F32, F16, BF16, Q8_0, Q4_0, Q4_K and Q6_K; any other type throws
 * {@link UnsupportedTensorTypeException}.
 *
 * <ul>
 *   <li>F16 rounds to nearest even; BF16 rounds to nearest even like ggml's
 *       {@code GGML_FP32_TO_BF16} (NaN stays a quiet NaN).</li>
 *   <li>Q8_0 and Q4_0 produce the same blocks as ggml's reference encoders
 *       {@code quantize_row_q8_0_ref} and {@code quantize_row_q4_0_ref} (Q4_0: the scale is
 *       the signed value of largest magnitude divided by −8).</li>
 *   <li>Q4_K and Q6_K use a <b>simple, non-iterative</b> encoder, not ggml's
 *       {@code make_qkx2_quants}/{@code make_qx_quants} search, so the blocks differ from
 *       llama.cpp's and the error is somewhat larger, but every value stays within half a
 *       quantization step of its sub-block:
 *       <ul>
 *         <li>Q4_K: per 32-value sub-block the offset is {@code max(0, −min)}, rounded up to a
 *             multiple of {@code dmin} (a 6-bit multiplier), and the step covers the range
 *             above it in 15 steps, rounded up to a multiple of {@code d} (6-bit multiplier);
 *             {@code d} and {@code dmin} are the largest step/offset over 63, rounded up to the
 *             next f16. Nothing is clipped: error ≤ step/2.</li>
 *         <li>Q6_K: per 16-value sub-block the step is {@code max|x|/31} (symmetric, q in
 *             −31…31), rounded up to a multiple of the super-block {@code d} (int8
 *             multiplier 0…127); {@code d} is the largest step over 127, rounded up to the next
 *             f16. Error ≤ step/2.</li>
 *       </ul>
 *   </li>
 * </ul>
 * Values must be finite and small enough for the f16 scales (|x| below about 10⁶).
 */
public final class Quantizer {
    private static final ValueLayout.OfShort SHORT_LE = FloatTensor.SHORT_LE;
    private static final ValueLayout.OfFloat FLOAT_LE = FloatTensor.FLOAT_LE;

    private Quantizer() {
    }

    /** Whether {@link #quantize} can encode this type. */
    public static boolean canQuantize(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K -> true;
            default -> false;
        };
    }

    /** {@code src} encoded as {@code type} ({@code src.length} must be a multiple of the block size). */
    public static byte[] quantize(GgmlType type, float[] src) {
        checkSupported(type);
        byte[] out = new byte[Math.toIntExact(type.byteSize(src.length))];
        quantize(type, src, 0, src.length, MemorySegment.ofArray(out), 0);
        return out;
    }

    /**
     * Encodes {@code src[srcOff…srcOff+n)} as {@code type} into {@code dst} at byte offset
     * {@code dstOffset}; writes {@code type.byteSize(n)} bytes. {@code n} must be a multiple of
     * the type's block size.
     */
    public static void quantize(GgmlType type, float[] src, int srcOff, int n, MemorySegment dst, long dstOffset) {
        checkSupported(type);
        long bytes = type.byteSize(n);
        java.util.Objects.checkFromIndexSize(srcOff, n, src.length);
        java.util.Objects.checkFromIndexSize(dstOffset, bytes, dst.byteSize());
        int bs = type.blockSize(), ts = type.typeSize();
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) dst.set(FLOAT_LE, dstOffset + 4L * i, src[srcOff + i]);
            }
            case F16 -> {
                for (int i = 0; i < n; i++) dst.set(SHORT_LE, dstOffset + 2L * i, Float.floatToFloat16(src[srcOff + i]));
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) dst.set(SHORT_LE, dstOffset + 2L * i, toBf16(src[srcOff + i]));
            }
            case Q8_0 -> {
                for (int b = 0; b < n / bs; b++) q8_0Block(src, srcOff + b * bs, dst, dstOffset + (long) b * ts);
            }
            case Q4_0 -> {
                for (int b = 0; b < n / bs; b++) q4_0Block(src, srcOff + b * bs, dst, dstOffset + (long) b * ts);
            }
            case Q4_K -> {
                int[] q = new int[256];
                for (int b = 0; b < n / bs; b++) q4_KBlock(src, srcOff + b * bs, dst, dstOffset + (long) b * ts, q);
            }
            case Q6_K -> {
                int[] q = new int[256];
                for (int b = 0; b < n / bs; b++) q6_KBlock(src, srcOff + b * bs, dst, dstOffset + (long) b * ts, q);
            }
            default -> throw new UnsupportedTensorTypeException(type);
        }
    }

    private static void checkSupported(GgmlType type) {
        if (!canQuantize(type)) throw new UnsupportedTensorTypeException(type);
    }

    /** ggml's GGML_FP32_TO_BF16: round to nearest even, NaN forced quiet. */
    static short toBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) return (short) ((u >>> 16) | 64);
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    /** C's roundf: halves away from zero. */
    private static int roundf(float v) {
        return (int) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }

    private static int round(double v) {
        return (int) Math.copySign(Math.floor(Math.abs(v) + 0.5), v);
    }

    /** quantize_row_q8_0_ref for one block of 32. */
    private static void q8_0Block(float[] x, int off, MemorySegment dst, long at) {
        float amax = 0f;
        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[off + j]));
        float d = amax / 127;
        float id = d != 0f ? 1.0f / d : 0.0f;
        dst.set(SHORT_LE, at, Float.floatToFloat16(d));
        for (int j = 0; j < 32; j++) dst.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) roundf(x[off + j] * id));
    }

    /** quantize_row_q4_0_ref for one block of 32. */
    private static void q4_0Block(float[] x, int off, MemorySegment dst, long at) {
        float amax = 0f, max = 0f;
        for (int j = 0; j < 32; j++) {
            float v = x[off + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8;
        float id = d != 0f ? 1.0f / d : 0.0f;
        dst.set(SHORT_LE, at, Float.floatToFloat16(d));
        for (int j = 0; j < 16; j++) {
            float x0 = x[off + j] * id;
            float x1 = x[off + 16 + j] * id;
            int xi0 = Math.min(15, (byte) (int) (x0 + 8.5f));
            int xi1 = Math.min(15, (byte) (int) (x1 + 8.5f));
            dst.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) (xi0 | (xi1 << 4)));
        }
    }

    /** The smallest f16 (as bits) that is ≥ {@code v} (v ≥ 0, finite). */
    private static short f16AtLeast(double v) {
        short h = Float.floatToFloat16((float) v);
        if (Float.float16ToFloat(h) < v) h++;
        return h;
    }

    /** Simple Q4_K encoder for one super-block of 256 (see the class comment). */
    private static void q4_KBlock(float[] x, int off, MemorySegment dst, long at, int[] q) {
        double[] offs = new double[8], tops = new double[8];
        double maxOff = 0;
        for (int j = 0; j < 8; j++) {
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (int l = 0; l < 32; l++) {
                float v = x[off + 32 * j + l];
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            offs[j] = Math.max(0, -lo);
            tops[j] = hi;
            maxOff = Math.max(maxOff, offs[j]);
        }
        short dminBits = f16AtLeast(maxOff / 63);
        float dmin = Float.float16ToFloat(dminBits);
        int[] sc = new int[8], m = new int[8];
        double[] step = new double[8];
        double maxStep = 0;
        for (int j = 0; j < 8; j++) {
            m[j] = dmin > 0 ? (int) Math.min(63, Math.ceil(offs[j] / dmin)) : 0;
            float dm = dmin * m[j];
            step[j] = Math.max(0, (tops[j] + dm) / 15);
            maxStep = Math.max(maxStep, step[j]);
        }
        short dBits = f16AtLeast(maxStep / 63);
        float d = Float.float16ToFloat(dBits);
        for (int j = 0; j < 8; j++) {
            sc[j] = d > 0 ? (int) Math.min(63, Math.ceil(step[j] / d)) : 0;
            float ds = d * sc[j], dm = dmin * m[j];
            for (int l = 0; l < 32; l++) {
                int v = ds > 0 ? round(((double) x[off + 32 * j + l] + dm) / ds) : 0;
                q[32 * j + l] = Math.clamp(v, 0, 15);
            }
        }
        dst.set(SHORT_LE, at, dBits);
        dst.set(SHORT_LE, at + 2, dminBits);
        byte[] scales = new byte[12];
        KQuants.pack(sc, m, scales, 0);
        MemorySegment.copy(scales, 0, dst, ValueLayout.JAVA_BYTE, at + 4, 12);
        for (int p = 0; p < 4; p++) {
            for (int l = 0; l < 32; l++) {
                dst.set(ValueLayout.JAVA_BYTE, at + 16 + 32 * p + l, (byte) (q[64 * p + l] | (q[64 * p + 32 + l] << 4)));
            }
        }
    }

    /** Simple Q6_K encoder for one super-block of 256 (see the class comment). */
    private static void q6_KBlock(float[] x, int off, MemorySegment dst, long at, int[] q) {
        double[] step = new double[16];
        double maxStep = 0;
        for (int s = 0; s < 16; s++) {
            float amax = 0f;
            for (int l = 0; l < 16; l++) amax = Math.max(amax, Math.abs(x[off + 16 * s + l]));
            step[s] = amax / 31.0;
            maxStep = Math.max(maxStep, step[s]);
        }
        short dBits = f16AtLeast(maxStep / 127);
        float d = Float.float16ToFloat(dBits);
        for (int s = 0; s < 16; s++) {
            int sc = d > 0 ? (int) Math.min(127, Math.ceil(step[s] / d)) : 0;
            float ds = d * sc;
            for (int l = 0; l < 16; l++) {
                int v = ds > 0 ? round(x[off + 16 * s + l] / (double) ds) : 0;
                q[16 * s + l] = Math.clamp(v, -32, 31) + 32;
            }
            dst.set(ValueLayout.JAVA_BYTE, at + 192 + s, (byte) sc);
        }
        for (int half = 0; half < 2; half++) {
            for (int l = 0; l < 32; l++) {
                int o = 128 * half + l;
                int q1 = q[o], q2 = q[o + 32], q3 = q[o + 64], q4 = q[o + 96];
                dst.set(ValueLayout.JAVA_BYTE, at + 64 * half + l, (byte) ((q1 & 0xF) | ((q3 & 0xF) << 4)));
                dst.set(ValueLayout.JAVA_BYTE, at + 64 * half + 32 + l, (byte) ((q2 & 0xF) | ((q4 & 0xF) << 4)));
                dst.set(ValueLayout.JAVA_BYTE, at + 128 + 32 * half + l,
                        (byte) ((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6)));
            }
        }
        dst.set(SHORT_LE, at + 208, dBits);
    }
}
