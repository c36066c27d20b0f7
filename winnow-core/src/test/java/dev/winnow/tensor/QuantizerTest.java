package dev.winnow.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.SharedData;
import dev.winnow.gguf.GgufFile;
import dev.winnow.gguf.GgufTensorInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property tests of {@link Quantizer}: quantize → dequantize stays within each type's error
 * bound on random data (several seeds and scales, all-zero blocks, one-outlier blocks, one-signed
 * and constant blocks); Q8_0/Q4_0 follow ggml's reference encoders.
 *
 * <p>Bounds per block (A = max |x| of the block, f16 rounding of a scale is at most 2⁻¹¹
 * relative, or 2⁻²⁵ absolute when subnormal):
 * <ul>
 *   <li>Q8_0: d = A/127, q = round(x/d), stored d₁₆: |x − d₁₆q| ≤ d/2 + 127·|d − d₁₆|
 *       ≤ A/254 + A·2⁻¹¹ + 127·2⁻²⁵.</li>
 *   <li>Q4_0: d = max/−8 (max: the signed value of largest magnitude), q − 8 = ⌊x/d + 8.5⌋ − 8
 *       clamped to 7: |x − d(q−8)| ≤ |d|/2, except x/d ∈ (7.5, 8] (values of the opposite sign
 *       within |d|/2 of −max) which are clamped to 7 and may be off by up to |d|; plus
 *       8·|d − d₁₆|.</li>
 *   <li>Q4_K (sub-blocks of 32 with r = max + max(0, −min), encoder in {@link Quantizer}): the
 *       error is at most half the sub-block step, which is below (r + dmin)/15 + d with
 *       dmin ≤ A/63·(1+2⁻¹⁰) and d ≤ (2A + dmin)/15/63·(1+2⁻¹⁰): in total
 *       ≤ r/30 + A/600 + 10⁻⁷.</li>
 *   <li>Q6_K (sub-blocks of 16 with a = max |x|): half the step a/31 rounded up to a multiple of
 *       d ≤ A/31/127·(1+2⁻¹⁰): ≤ a/62 + A/7800 + 10⁻⁷.</li>
 * </ul>
 * plus 10⁻⁶·A for float rounding in encoding and decoding.
 */
class QuantizerTest {
    private static final GgmlType[] TYPES = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
            GgmlType.Q4_K, GgmlType.Q6_K};
    private static final double F16_REL = Math.scalb(1.0, -11);
    private static final double F16_SUB = Math.scalb(1.0, -25);

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void roundTripStaysWithinTheTypesBound(GgmlType type) {
        int cases = 0;
        for (int seed = 1; seed <= 4; seed++) {
            for (double scale : new double[] {1e-3, 0.05, 1, 40}) {
                float[] x = testData(new Random(seed * 31L + (long) (scale * 1000)), scale, 4 * 256);
                float[] y = roundTrip(type, x);
                assertWithinBound(type, x, y, "seed " + seed + " scale " + scale);
                cases++;
            }
        }
        assertThat(cases).isEqualTo(16);
    }

    /** The bounds are not vacuous: the typical error is well below them and the quantizers do quantize. */
    @Test
    void errorsAreOfTheExpectedSize() {
        float[] x = new float[4096];
        Random r = new Random(5);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        double[] rms = new double[TYPES.length];
        for (int t = 0; t < TYPES.length; t++) {
            float[] y = roundTrip(TYPES[t], x);
            double s = 0;
            for (int i = 0; i < x.length; i++) s += (x[i] - y[i]) * (double) (x[i] - y[i]);
            rms[t] = Math.sqrt(s / x.length);
        }
        assertThat(rms[0]).isZero(); // F32
        assertThat(rms[1]).isBetween(1e-5, 1e-3); // F16
        assertThat(rms[2]).isBetween(1e-4, 1e-2); // BF16
        assertThat(rms[3]).isBetween(1e-3, 2e-2); // Q8_0: step ≈ 2.3/127
        assertThat(rms[4]).isBetween(2e-2, 0.2); // Q4_0: step ≈ 2.3/8
        assertThat(rms[5]).isBetween(2e-2, 0.2); // Q4_K: step ≈ 4/15
        assertThat(rms[6]).isBetween(3e-3, 5e-2); // Q6_K: step ≈ 2/31
        assertThat(rms[6]).isLessThan(rms[5]);
        assertThat(rms[3]).isLessThan(rms[6]);
    }

    /** Q8_0 uses C's roundf (halves away from zero), as quantize_row_q8_0_ref. */
    @Test
    void q8_0RoundsHalvesAwayFromZeroLikeGgml() {
        float[] x = new float[32];
        x[0] = 127f; // amax 127 → d = 1, id = 1
        x[1] = 2.5f;
        x[2] = -2.5f;
        x[3] = 0.5f;
        x[4] = -0.5f;
        x[5] = -127f;
        x[6] = 3.49f;
        byte[] b = Quantizer.quantize(GgmlType.Q8_0, x);
        assertThat(b).hasSize(34);
        assertThat(Float.float16ToFloat((short) ((b[0] & 0xFF) | (b[1] << 8)))).isEqualTo(1f);
        assertThat(new byte[] {b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9]}).containsExactly(127, 3, -3, 1, -1, -127, 3, 0);
    }

    /** Q4_0: d = max/−8 with the sign of the largest-magnitude value (the first on ties), q = min(15, (int)(x/d + 8.5)). */
    @Test
    void q4_0FollowsTheReferenceEncoder() {
        float[] x = new float[32];
        x[0] = 4f;
        x[1] = -4f; // same magnitude, later: max stays +4 → d = −0.5
        x[2] = 1f; // x/d = −2 → q = 6
        x[3] = -1.2f; // x/d = 2.4 → (int) 10.9 = 10
        x[16] = 0.24f; // x/d = −0.48 → (int) 8.02 = 8
        x[17] = -3.8f; // x/d = 7.6 → 16.1 → clamped to 15
        byte[] b = Quantizer.quantize(GgmlType.Q4_0, x);
        assertThat(b).hasSize(18);
        assertThat(Float.float16ToFloat((short) ((b[0] & 0xFF) | (b[1] << 8)))).isEqualTo(-0.5f);
        int[] q = new int[32];
        for (int j = 0; j < 16; j++) {
            q[j] = b[2 + j] & 0xF;
            q[j + 16] = (b[2 + j] & 0xFF) >>> 4;
        }
        assertThat(q[0]).isEqualTo(0);
        assertThat(q[1]).isEqualTo(15); // −4/−0.5 + 8.5 = 16.5 → 16 → 15
        assertThat(q[2]).isEqualTo(6);
        assertThat(q[3]).isEqualTo(10);
        assertThat(q[4]).isEqualTo(8); // zeros
        assertThat(q[16]).isEqualTo(8);
        assertThat(q[17]).isEqualTo(15);
        // an all-zero block: d = −0 (0/−8), every code 8
        byte[] z = Quantizer.quantize(GgmlType.Q4_0, new float[32]);
        assertThat(Float.float16ToFloat((short) ((z[0] & 0xFF) | (z[1] << 8))) == 0f).isTrue();
        for (int j = 2; j < 18; j++) assertThat(z[j]).isEqualTo((byte) 0x88);
    }

    @Test
    void bf16RoundsToNearestEvenLikeGgml() {
        float tieDown = Float.intBitsToFloat(0x3f808000); // 1 + 2^-8: halfway, even is 1.0
        float tieUp = Float.intBitsToFloat(0x3f818000); // 1 + 3·2^-8: halfway, even is 1 + 2^-6
        float above = Float.intBitsToFloat(0x3f808001);
        byte[] b = Quantizer.quantize(GgmlType.BF16, new float[] {tieDown, tieUp, above, Float.NaN, -0f, Float.NEGATIVE_INFINITY});
        MemorySegment s = MemorySegment.ofArray(b);
        short[] h = new short[6];
        for (int i = 0; i < 6; i++) h[i] = s.get(FloatTensor.SHORT_LE, 2L * i);
        assertThat(h[0]).isEqualTo((short) 0x3f80);
        assertThat(h[1]).isEqualTo((short) 0x3f82);
        assertThat(h[2]).isEqualTo((short) 0x3f81);
        assertThat(Float.isNaN(BF16Tensor.bf16ToFloat(h[3]))).isTrue();
        assertThat(h[4]).isEqualTo((short) 0x8000);
        assertThat(h[5]).isEqualTo((short) 0xff80);
    }

    @Test
    void segmentVariantWritesAtTheOffsetAndMatchesTheArrayVariant() {
        float[] x = testData(new Random(9), 1, 1024);
        for (GgmlType type : TYPES) {
            long bytes = type.byteSize(512);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment dst = arena.allocate(bytes + 13 + 7);
                dst.fill((byte) 0x5A);
                Quantizer.quantize(type, x, 256, 512, dst, 13);
                float[] part = java.util.Arrays.copyOfRange(x, 256, 768);
                byte[] want = Quantizer.quantize(type, part);
                assertThat(dst.asSlice(13, bytes).toArray(ValueLayout.JAVA_BYTE)).as(type.name()).containsExactly(want);
                for (long i = 0; i < 13; i++) assertThat(dst.get(ValueLayout.JAVA_BYTE, i)).isEqualTo((byte) 0x5A);
                for (long i = 13 + bytes; i < dst.byteSize(); i++) assertThat(dst.get(ValueLayout.JAVA_BYTE, i)).isEqualTo((byte) 0x5A);
            }
        }
    }

    @Test
    void unsupportedTypesAndBadLengthsAreRejected() {
        for (GgmlType t : new GgmlType[] {GgmlType.Q4_1, GgmlType.Q5_K, GgmlType.Q8_K, GgmlType.IQ4_NL, GgmlType.I32}) {
            assertThat(Quantizer.canQuantize(t)).isFalse();
            assertThatThrownBy(() -> Quantizer.quantize(t, new float[256])).isInstanceOf(UnsupportedTensorTypeException.class);
        }
        for (GgmlType t : TYPES) assertThat(Quantizer.canQuantize(t)).isTrue();
        assertThatThrownBy(() -> Quantizer.quantize(GgmlType.Q8_0, new float[40])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Quantizer.quantize(GgmlType.Q4_K, new float[128])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Quantizer.quantize(GgmlType.Q8_0, new float[64], 0, 64, MemorySegment.ofArray(new byte[60]), 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    /**
     * Re-quantizing llama.cpp's dequantized Q8_0/Q4_0 weights gives blocks that decode to the
     * same values: the reference encoders are idempotent on their own output.
     */
    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_0"})
    void requantizingTheSharedModelsReproducesTheirValues(String type) {
        GgmlType gt = GgmlType.parse(type);
        try (GgufFile q = GgufFile.open(SharedData.path("models/synth-llama-" + type + ".gguf"))) {
            int checked = 0;
            long sameBlocks = 0, blocks = 0;
            for (GgufTensorInfo t : q.tensors().values()) {
                if (t.type() != gt) continue;
                float[] values = FloatTensor.of(t.type(), q.tensorData(t), t.elementCount()).toFloatArray();
                byte[] requantized = Quantizer.quantize(gt, values);
                float[] again = FloatTensor.of(gt, MemorySegment.ofArray(requantized), values.length).toFloatArray();
                float maxAbs = 0, maxDiff = 0;
                for (int i = 0; i < values.length; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(values[i]));
                    maxDiff = Math.max(maxDiff, Math.abs(again[i] - values[i]));
                }
                assertThat(maxDiff).as("%s (%s)", t.name(), type).isLessThanOrEqualTo(1e-6f * maxAbs);
                byte[] original = q.tensorData(t).asSlice(0, t.byteSize()).toArray(ValueLayout.JAVA_BYTE);
                for (int b = 0; b < original.length; b += gt.typeSize()) {
                    blocks++;
                    if (java.util.Arrays.equals(original, b, b + gt.typeSize(), requantized, b, b + gt.typeSize())) sameBlocks++;
                }
                checked++;
            }
            assertThat(checked).isGreaterThan(10);
            // not required by the test's claim, but the encoders should mostly reproduce the very bytes
            assertThat((double) sameBlocks / blocks).as("share of byte-identical blocks").isGreaterThan(0.99);
        }
    }

    /** Quantized K-quant data is valid input for the tensor kernels: the dot products agree with the dequantized values. */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q6_K", "Q8_0", "Q4_0"})
    void quantizedBlocksWorkWithTheDotKernels(GgmlType type) {
        Random r = new Random(3);
        int cols = 512, rows = 4;
        float[] w = testData(r, 0.5, cols * rows);
        FloatTensor t = FloatTensor.of(type, MemorySegment.ofArray(Quantizer.quantize(type, w)), (long) cols * rows);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) r.nextGaussian();
        float[] row = new float[cols];
        for (int k = 0; k < rows; k++) {
            t.dequantize((long) k * cols, row, 0, cols);
            double ref = 0, mag = 0;
            for (int i = 0; i < cols; i++) {
                ref += (double) row[i] * x[i];
                mag += Math.abs((double) row[i] * x[i]);
            }
            assertThat((double) t.dot((long) k * cols, x, 0, cols)).isCloseTo(ref, org.assertj.core.data.Offset.offset(1e-3 * mag + 1e-9));
        }
    }

    // ---------------------------------------------------------------------------------------

    private static float[] roundTrip(GgmlType type, float[] x) {
        byte[] b = Quantizer.quantize(type, x);
        assertThat((long) b.length).isEqualTo(type.byteSize(x.length));
        float[] y = new float[x.length];
        FloatTensor.of(type, MemorySegment.ofArray(b), x.length).dequantize(0, y, 0, x.length);
        return y;
    }

    /**
     * {@code n} values in blocks of 32 (n a multiple of 256) of different kinds: gaussian, uniform,
     * all zero, one large outlier, all positive, all negative, constant, and a block with both
     * signs at the maximum magnitude; a whole super-block of zeros too.
     */
    static float[] testData(Random r, double scale, int n) {
        float[] x = new float[n];
        for (int b = 0; b < n / 32; b++) {
            int kind = b < 8 ? -1 : r.nextInt(9); // the first super-block is all zero
            int o = b * 32;
            for (int i = 0; i < 32; i++) {
                double v = switch (kind) {
                    case -1, 2 -> 0;
                    case 0 -> r.nextGaussian();
                    case 1 -> 2 * r.nextDouble() - 1;
                    case 3 -> 0.01 * r.nextGaussian();
                    case 4 -> r.nextDouble();
                    case 5 -> -0.5 - r.nextDouble();
                    case 6 -> 0.7;
                    case 7 -> i % 2 == 0 ? 1 : -1;
                    default -> r.nextGaussian() * Math.pow(10, -3 * r.nextDouble());
                };
                x[o + i] = (float) (v * scale);
            }
            if (kind == 3) x[o + r.nextInt(32)] = (float) (scale * (r.nextBoolean() ? 30 : -30)); // one outlier
        }
        return x;
    }

    private static void assertWithinBound(GgmlType type, float[] x, float[] y, String what) {
        List<String> failures = new ArrayList<>();
        switch (type) {
            case F32 -> {
                for (int i = 0; i < x.length; i++) check(failures, i, x[i], y[i], 0);
            }
            case F16 -> {
                for (int i = 0; i < x.length; i++) check(failures, i, x[i], y[i], Math.abs(x[i]) * F16_REL + F16_SUB);
            }
            case BF16 -> {
                for (int i = 0; i < x.length; i++) check(failures, i, x[i], y[i], Math.abs(x[i]) * Math.scalb(1.0, -8));
            }
            case Q8_0 -> {
                for (int b = 0; b < x.length; b += 32) {
                    double a = amax(x, b, 32);
                    double bound = a / 254 + a * F16_REL + 127 * F16_SUB + 1e-6 * a;
                    for (int i = b; i < b + 32; i++) check(failures, i, x[i], y[i], bound);
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < x.length; b += 32) {
                    float max = 0, am = 0;
                    for (int i = b; i < b + 32; i++) {
                        if (am < Math.abs(x[i])) {
                            am = Math.abs(x[i]);
                            max = x[i];
                        }
                    }
                    double d = Math.abs(max / 8.0);
                    for (int i = b; i < b + 32; i++) {
                        boolean clamped = d > 0 && x[i] / (max / -8.0) > 7.5;
                        check(failures, i, x[i], y[i], (clamped ? d : d / 2) + 8 * (d * F16_REL + F16_SUB) + 1e-6 * am);
                    }
                }
            }
            case Q4_K -> {
                for (int b = 0; b < x.length; b += 256) {
                    double a = amax(x, b, 256);
                    for (int s = b; s < b + 256; s += 32) {
                        double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
                        for (int i = s; i < s + 32; i++) {
                            lo = Math.min(lo, x[i]);
                            hi = Math.max(hi, x[i]);
                        }
                        double range = hi + Math.max(0, -lo);
                        double bound = range / 30 + a / 600 + 1e-7 + 1e-6 * a;
                        for (int i = s; i < s + 32; i++) check(failures, i, x[i], y[i], bound);
                    }
                }
            }
            case Q6_K -> {
                for (int b = 0; b < x.length; b += 256) {
                    double a = amax(x, b, 256);
                    for (int s = b; s < b + 256; s += 16) {
                        double bound = amax(x, s, 16) / 62 + a / 7800 + 1e-7 + 1e-6 * a;
                        for (int i = s; i < s + 16; i++) check(failures, i, x[i], y[i], bound);
                    }
                }
            }
            default -> throw new IllegalArgumentException(type.name());
        }
        assertThat(failures).as("%s %s: values outside the bound", type, what).isEmpty();
        // zero blocks stay exactly zero
        for (int i = 0; i < 256; i++) assertThat(y[i] == 0f).as("%s %s: zero block value %d is %s", type, what, i, y[i]).isTrue();
    }

    private static double amax(float[] x, int from, int n) {
        double a = 0;
        for (int i = from; i < from + n; i++) a = Math.max(a, Math.abs(x[i]));
        return a;
    }

    private static void check(List<String> failures, int i, float x, float y, double bound) {
        double err = Math.abs((double) x - y);
        if (!(err <= bound) && failures.size() < 10) failures.add("value " + i + ": " + x + " → " + y + " (error " + err + " > " + bound + ")");
    }
}
