package dev.winnow.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.SharedData;
import dev.winnow.gguf.GgufFile;
import dev.winnow.gguf.GgufTensorInfo;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Q4_K, Q5_K and Q6_K: decoding against llama.cpp's reference dequantization (the -deq twins of
 * the synthetic models) and against literal ports of ggml's dequantize_row_q*_K; the vector and
 * scalar dot products against a float64 dot of the dequantized row.
 */
class KQuantDequantizationTest {
    private static final Set<GgmlType> K_QUANTS = EnumSet.of(GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);

    @ParameterizedTest
    @ValueSource(strings = {"Q4_K_M", "Q6_K"})
    void everyTensorMatchesTheDequantizedTwin(String type) {
        Set<GgmlType> seen = EnumSet.noneOf(GgmlType.class);
        try (GgufFile q = GgufFile.open(SharedData.path("models/synth-llama-" + type + ".gguf"));
             GgufFile deq = GgufFile.open(SharedData.path("models/synth-llama-" + type + "-deq.gguf"))) {
            assertThat(q.tensors().keySet()).containsExactlyInAnyOrderElementsOf(deq.tensors().keySet());
            for (GgufTensorInfo t : q.tensors().values()) {
                GgufTensorInfo d = deq.tensor(t.name());
                assertThat(d.type()).isEqualTo(GgmlType.F32);
                assertThat(d.shape()).containsExactly(t.shape());
                FloatTensor ours = FloatTensor.of(t.type(), q.tensorData(t), t.elementCount());
                float[] got = ours.toFloatArray();
                float[] want = FloatTensor.of(GgmlType.F32, deq.tensorData(d), d.elementCount()).toFloatArray();
                float maxAbs = 0, maxDiff = 0;
                for (int i = 0; i < want.length; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(want[i]));
                    maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
                }
                assertThat(maxAbs).as("%s is not all zero", t.name()).isGreaterThan(0f);
                assertThat(maxDiff).as("%s (%s)", t.name(), t.type()).isLessThanOrEqualTo(1e-6f * maxAbs);
                seen.add(t.type());
            }
        }
        assertThat(seen).as("tensor types in " + type).contains(type.equals("Q6_K") ? GgmlType.Q6_K : GgmlType.Q4_K);
        if (type.equals("Q4_K_M")) assertThat(seen).contains(GgmlType.Q4_K, GgmlType.Q6_K);
    }

    /** The vector dequantization (used by matmul) is bit-identical to the value-by-value one, and getFloat agrees. */
    @ParameterizedTest
    @ValueSource(strings = {"Q4_K_M", "Q6_K"})
    void vectorScalarAndSingleValueDecodingAgreeExactly(String type) {
        try (GgufFile q = GgufFile.open(SharedData.path("models/synth-llama-" + type + ".gguf"))) {
            int checked = 0;
            for (GgufTensorInfo t : q.tensors().values()) {
                if (!K_QUANTS.contains(t.type())) continue;
                FloatTensor w = FloatTensor.of(t.type(), q.tensorData(t), t.elementCount());
                assertBitIdentical(w, 9);
                checked++;
            }
            assertThat(checked).isGreaterThan(10);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q4_K_M", "Q6_K"})
    void vectorDotMatchesScalarDotAndDequantizedDot(String type) {
        try (GgufFile q = GgufFile.open(SharedData.path("models/synth-llama-" + type + ".gguf"))) {
            List<String> names = List.of("token_embd.weight", "output.weight", "blk.0.ffn_up.weight", "blk.1.ffn_down.weight",
                    "blk.2.ffn_down.weight", "blk.3.attn_v.weight", "blk.0.attn_k.weight");
            Set<GgmlType> seen = EnumSet.noneOf(GgmlType.class);
            for (String name : names) {
                GgufTensorInfo t = q.tensor(name);
                assertThat(K_QUANTS).as(name).contains(t.type());
                seen.add(t.type());
                FloatTensor w = FloatTensor.of(t.type(), q.tensorData(t), t.elementCount());
                assertDotsAgree(w, (int) t.dim(0), (int) Math.min(t.dim(1), 24), new Random(name.hashCode()));
            }
            assertThat(seen).contains(GgmlType.Q6_K);
        }
    }

    /** A Q5_K tensor built from the Q4_K tensors of the shared file with all fifth bits 0 decodes to the same values. */
    @Test
    void q5_KWithoutFifthBitsEqualsTheQ4_KReference() {
        try (GgufFile q = GgufFile.open(SharedData.path("models/synth-llama-Q4_K_M.gguf"));
             GgufFile deq = GgufFile.open(SharedData.path("models/synth-llama-Q4_K_M-deq.gguf"))) {
            GgufTensorInfo t = q.tensor("blk.0.ffn_gate.weight");
            assertThat(t.type()).isEqualTo(GgmlType.Q4_K);
            byte[] q4 = q.tensorData(t).asSlice(0, t.byteSize()).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            int blocks = q4.length / 144;
            byte[] q5 = new byte[blocks * 176];
            for (int b = 0; b < blocks; b++) {
                System.arraycopy(q4, b * 144, q5, b * 176, 16);             // d, dmin, scales
                System.arraycopy(q4, b * 144 + 16, q5, b * 176 + 48, 128); // qs (qh stays 0)
            }
            float[] got = FloatTensor.of(GgmlType.Q5_K, MemorySegment.ofArray(q5), t.elementCount()).toFloatArray();
            float[] want = FloatTensor.of(GgmlType.F32, deq.tensorData(t.name()), t.elementCount()).toFloatArray();
            float maxAbs = 0, maxDiff = 0;
            for (int i = 0; i < want.length; i++) {
                maxAbs = Math.max(maxAbs, Math.abs(want[i]));
                maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
            }
            assertThat(maxDiff).isLessThanOrEqualTo(1e-6f * maxAbs);
        }
    }

    /** Random encoded blocks: our decoding equals a literal port of ggml's dequantize_row_q*_K, bit for bit. */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q5_K", "Q6_K"})
    void randomBlocksDecodeLikeGgml(GgmlType type) {
        for (int seed = 1; seed <= 3; seed++) {
            int n = 8 * 256;
            byte[] data = randomBlocks(type, n / 256, new Random(seed));
            FloatTensor w = FloatTensor.of(type, MemorySegment.ofArray(data), n);
            float[] want = new float[n];
            switch (type) {
                case Q4_K -> GgmlReference.dequantizeQ4K(data, want);
                case Q5_K -> GgmlReference.dequantizeQ5K(data, want);
                default -> GgmlReference.dequantizeQ6K(data, want);
            }
            float[] got = w.toFloatArray();
            for (int i = 0; i < n; i++) {
                assertThat(Float.floatToIntBits(got[i])).as("%s seed %d value %d: %s vs %s", type, seed, i, got[i], want[i])
                        .isEqualTo(Float.floatToIntBits(want[i]));
            }
            assertBitIdentical(w, 1);
        }
    }

    /** Random encoded blocks: vector dot, scalar dot and the float64 dot of the dequantized rows agree, also for sub-ranges. */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q5_K", "Q6_K"})
    void randomBlocksDotsAgree(GgmlType type) {
        for (int seed = 1; seed <= 3; seed++) {
            int cols = 1024, rows = 6;
            byte[] data = randomBlocks(type, cols / 256 * rows, new Random(seed));
            FloatTensor w = FloatTensor.of(type, MemorySegment.ofArray(data), (long) cols * rows);
            assertDotsAgree(w, cols, rows, new Random(seed + 100));
            // a block-aligned sub-range of a row, with x read from an offset
            Random r = new Random(seed);
            float[] x = new float[cols + 37];
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            float[] row = new float[512];
            w.dequantize(cols + 256, row, 0, 512);
            double ref = 0, mag = 0;
            for (int i = 0; i < 512; i++) {
                ref += (double) row[i] * x[37 + i];
                mag += Math.abs((double) row[i] * x[37 + i]);
            }
            assertThat((double) w.dot(cols + 256, x, 37, 512)).isCloseTo(ref, org.assertj.core.data.Offset.offset(1e-3 * mag + 1e-6));
            assertThat((double) scalarDot(w, cols + 256, x, 37, 512)).isCloseTo(ref, org.assertj.core.data.Offset.offset(1e-3 * mag + 1e-6));
        }
    }

    @Test
    void kQuantsAreSupported() {
        for (GgmlType t : K_QUANTS) {
            assertThat(t.supported()).as(t.name()).isTrue();
            assertThat(FloatTensor.of(t, MemorySegment.ofArray(new byte[t.typeSize()]), 256).type()).isEqualTo(t);
        }
    }

    // ---------------------------------------------------------------------------------------

    static float scalarDot(FloatTensor w, long offset, float[] x, int xOffset, int n) {
        return switch (w) {
            case Q4_KTensor t -> t.scalarDot(offset, x, xOffset, n);
            case Q5_KTensor t -> t.scalarDot(offset, x, xOffset, n);
            case Q6_KTensor t -> t.scalarDot(offset, x, xOffset, n);
            default -> throw new IllegalArgumentException(w.type().name());
        };
    }

    private static void scalarDequantize(FloatTensor w, long offset, float[] out, int outOffset, int n) {
        switch (w) {
            case Q4_KTensor t -> t.scalarDequantize(offset, out, outOffset, n);
            case Q5_KTensor t -> t.scalarDequantize(offset, out, outOffset, n);
            case Q6_KTensor t -> t.scalarDequantize(offset, out, outOffset, n);
            default -> throw new IllegalArgumentException(w.type().name());
        }
    }

    /** dequantize (vector or scalar, whichever is active) == scalarDequantize == getFloat, bit for bit. */
    private static void assertBitIdentical(FloatTensor w, int getFloatStride) {
        int n = Math.toIntExact(w.size());
        float[] a = new float[n + 3], b = new float[n + 3];
        w.dequantize(0, a, 3, n);
        scalarDequantize(w, 0, b, 3, n);
        for (int i = 3; i < n + 3; i++) {
            if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
                throw new AssertionError(w.type() + " value " + (i - 3) + ": dequantize " + a[i] + " vs scalar " + b[i]);
            }
        }
        for (int i = 0; i < n; i += getFloatStride) {
            if (Float.floatToIntBits(w.getFloat(i)) != Float.floatToIntBits(a[i + 3])) {
                throw new AssertionError(w.type() + " getFloat(" + i + ") = " + w.getFloat(i) + ", dequantize gives " + a[i + 3]);
            }
        }
    }

    /**
     * For each row: dot (vector when enabled), scalarDot and a float64 dot of the dequantized row
     * agree within 1e-3 of Σ|w·x| (the sum's magnitude, robust to cancellation).
     */
    private static void assertDotsAgree(FloatTensor w, int cols, int rows, Random r) {
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) r.nextGaussian();
        float[] row = new float[cols];
        for (int rowIdx = 0; rowIdx < rows; rowIdx++) {
            long off = (long) rowIdx * cols;
            w.dequantize(off, row, 0, cols);
            double ref = 0, mag = 0;
            for (int i = 0; i < cols; i++) {
                ref += (double) row[i] * x[i];
                mag += Math.abs((double) row[i] * x[i]);
            }
            float vec = w.dot(off, x, 0, cols);
            float scalar = scalarDot(w, off, x, 0, cols);
            org.assertj.core.data.Offset<Double> tol = org.assertj.core.data.Offset.offset(1e-3 * mag + 1e-9);
            assertThat((double) vec).as("%s row %d dot", w.type(), rowIdx).isCloseTo(ref, tol);
            assertThat((double) scalar).as("%s row %d scalarDot", w.type(), rowIdx).isCloseTo(ref, tol);
        }
    }

    /** Random bytes with sane f16 super-scales (random sign for Q6_K's d; d, dmin ≥ 0 for Q4_K/Q5_K, as ggml writes them). */
    static byte[] randomBlocks(GgmlType type, int blocks, Random r) {
        byte[] data = new byte[blocks * type.typeSize()];
        r.nextBytes(data);
        MemorySegment s = MemorySegment.ofArray(data);
        for (int b = 0; b < blocks; b++) {
            long at = (long) b * type.typeSize();
            if (type == GgmlType.Q6_K) {
                s.set(FloatTensor.SHORT_LE, at + 208, Float.floatToFloat16((float) ((r.nextBoolean() ? 1 : -1) * (0.001 + 0.01 * r.nextDouble()))));
            } else {
                s.set(FloatTensor.SHORT_LE, at, Float.floatToFloat16((float) (0.001 + 0.02 * r.nextDouble())));
                s.set(FloatTensor.SHORT_LE, at + 2, Float.floatToFloat16((float) (0.001 + 0.02 * r.nextDouble())));
            }
        }
        if (blocks > 1) {
            // one block with extreme codes: all nibbles and bits set
            long at = (long) (blocks - 1) * type.typeSize();
            int from = type == GgmlType.Q6_K ? 0 : 16, to = type == GgmlType.Q6_K ? 192 : type.typeSize();
            for (int i = from; i < to; i++) data[(int) at + i] = (byte) 0xFF;
        }
        return data;
    }

    /** Literal ports of ggml's reference dequantization (ggml-quants.c), over byte arrays. */
    static final class GgmlReference {
        private static int u8(byte[] a, int i) {
            return a[i] & 0xFF;
        }

        private static float f16(byte[] a, int i) {
            return Float.float16ToFloat((short) (u8(a, i) | (u8(a, i + 1) << 8)));
        }

        /** get_scale_min_k4: returns {sc, m}. */
        private static int[] scaleMinK4(int j, byte[] a, int q) {
            if (j < 4) return new int[] {u8(a, q + j) & 63, u8(a, q + j + 4) & 63};
            return new int[] {(u8(a, q + j + 4) & 0xF) | ((u8(a, q + j - 4) >> 6) << 4),
                    (u8(a, q + j + 4) >> 4) | ((u8(a, q + j) >> 6) << 4)};
        }

        static void dequantizeQ4K(byte[] x, float[] y) {
            int yi = 0;
            for (int i = 0; i < y.length / 256; i++) {
                int blk = i * 144;
                int q = blk + 16;
                float d = f16(x, blk), min = f16(x, blk + 2);
                int is = 0;
                for (int j = 0; j < 256; j += 64) {
                    int[] sm = scaleMinK4(is, x, blk + 4);
                    float d1 = d * sm[0], m1 = min * sm[1];
                    sm = scaleMinK4(is + 1, x, blk + 4);
                    float d2 = d * sm[0], m2 = min * sm[1];
                    for (int l = 0; l < 32; ++l) y[yi++] = d1 * (u8(x, q + l) & 0xF) - m1;
                    for (int l = 0; l < 32; ++l) y[yi++] = d2 * (u8(x, q + l) >> 4) - m2;
                    q += 32;
                    is += 2;
                }
            }
        }

        static void dequantizeQ5K(byte[] x, float[] y) {
            int yi = 0;
            for (int i = 0; i < y.length / 256; i++) {
                int blk = i * 176;
                int ql = blk + 48, qh = blk + 16;
                float d = f16(x, blk), min = f16(x, blk + 2);
                int is = 0;
                int u1 = 1, u2 = 2;
                for (int j = 0; j < 256; j += 64) {
                    int[] sm = scaleMinK4(is, x, blk + 4);
                    float d1 = d * sm[0], m1 = min * sm[1];
                    sm = scaleMinK4(is + 1, x, blk + 4);
                    float d2 = d * sm[0], m2 = min * sm[1];
                    for (int l = 0; l < 32; ++l) y[yi++] = d1 * ((u8(x, ql + l) & 0xF) + ((u8(x, qh + l) & u1) != 0 ? 16 : 0)) - m1;
                    for (int l = 0; l < 32; ++l) y[yi++] = d2 * ((u8(x, ql + l) >> 4) + ((u8(x, qh + l) & u2) != 0 ? 16 : 0)) - m2;
                    ql += 32;
                    is += 2;
                    u1 <<= 2;
                    u2 <<= 2;
                }
            }
        }

        static void dequantizeQ6K(byte[] x, float[] y) {
            for (int i = 0; i < y.length / 256; i++) {
                int blk = i * 210;
                float d = f16(x, blk + 208);
                int ql = blk, qh = blk + 128, sc = blk + 192;
                int yi = i * 256;
                for (int n = 0; n < 256; n += 128) {
                    for (int l = 0; l < 32; ++l) {
                        int is = l / 16;
                        int q1 = ((u8(x, ql + l) & 0xF) | (((u8(x, qh + l) >> 0) & 3) << 4)) - 32;
                        int q2 = ((u8(x, ql + l + 32) & 0xF) | (((u8(x, qh + l) >> 2) & 3) << 4)) - 32;
                        int q3 = ((u8(x, ql + l) >> 4) | (((u8(x, qh + l) >> 4) & 3) << 4)) - 32;
                        int q4 = ((u8(x, ql + l + 32) >> 4) | (((u8(x, qh + l) >> 6) & 3) << 4)) - 32;
                        y[yi + l] = d * x[sc + is] * q1;
                        y[yi + l + 32] = d * x[sc + is + 2] * q2;
                        y[yi + l + 64] = d * x[sc + is + 4] * q3;
                        y[yi + l + 96] = d * x[sc + is + 6] * q4;
                    }
                    yi += 128;
                    ql += 64;
                    qh += 32;
                    sc += 8;
                }
            }
        }
    }
}
