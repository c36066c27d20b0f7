import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Formulations of the Q4_0 × 8-bit-activation row kernel (issue 15), timed on one thread: the
 * minimum over many products of a rows × cols matrix (a minimum is what a shared, noisy machine
 * still measures), several rounds interleaved. Standalone (no Winnow classes), run from source:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:CompileCommand=quiet \
 *      -XX:CompileCommand=inline,Q4_0Variants::sum -XX:CompileCommand=inline,Q4_0Variants::f16 \
 *      -XX:CompileCommand=inline,Q4_0Variants::lanes -Drows=256 -Dcols=2048 -Dits=5000 scripts/kernels/Q4_0Variants.java [variant …]
 * </pre>
 *
 * ({@code sum}, {@code f16} and {@code lanes} forced inline: a vector helper C2 leaves out of line boxes its
 * arguments, which made some variants 3× slower for no reason of their own.) "current" is the loop
 * of {@code Q4_0Tensor.dot(long, Q8Activations, int)}; every variant marked "same bits" must print
 * the same check values as it; "bound" variants drop part of the work to show what it costs.
 */
public class Q4_0Variants {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** 16-bit words 1–8 and 10–17 of a pair of blocks (their quant bytes) into words 0–15. */
    static final VectorShuffle<Short> PAIR_QUANTS = VectorShuffle.fromOp(ShortVector.SPECIES_512, i -> i < 8 ? i + 1 : i < 16 ? i + 2 : i);
    static float[] WS;
    static short[] XO;

    static float f16(MemorySegment s, long o) {
        return Float.float16ToFloat(s.get(SHORT_LE, o));
    }

    /**
     * Block lanes as {@code Q4_0Tensor} computes them: 16 bytes at {@code base + 2} widened to shorts,
     * lane i = (low nibble i − 8)·code j+i + (high nibble i − 8)·code j+i+16. (Forced inline by the
     * command line above, so every variant compiles to the written-out loop.)
     */
    static ShortVector lanes(MemorySegment segment, long base, short[] xq, int j) {
        ShortVector p = (ShortVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, base + 2, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, ShortVector.SPECIES_256, 0);
        return p.and((short) 0xF).sub((short) 8).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j))
                .add(p.lanewise(VectorOperators.LSHR, 4).sub((short) 8).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j + 16)));
    }

    /** FloatTensor.sum's order over acc0 + acc1. */
    static float sum(FloatVector acc0, FloatVector acc1) {
        FloatVector v = acc0.add(acc1);
        FloatVector h = ((FloatVector) v.reinterpretShape(FloatVector.SPECIES_256, 0)).add((FloatVector) v.reinterpretShape(FloatVector.SPECIES_256, 1));
        FloatVector q = ((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 0)).add((FloatVector) h.reinterpretShape(FloatVector.SPECIES_128, 1));
        return (q.lane(0) + q.lane(2)) + (q.lane(1) + q.lane(3));
    }

    /** Q4_0Tensor's loop: per block 16 bytes widened to 16 shorts, AND/shift, − 8, 2 multiplies, 1 add, 1 S2F, 1 FMA (same bits). */
    static float current(MemorySegment segment, long offset, short[] xq, float[] xd, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        long base = offset / 32 * 18;
        int j = 0;
        for (; j + 64 <= n; j += 64, base += 36) {
            ShortVector s0 = lanes(segment, base, xq, j);
            ShortVector s1 = lanes(segment, base + 18, xq, j + 32);
            acc0 = ((FloatVector) s0.convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, f16(segment, base) * xd[j / 32]), acc0);
            acc1 = ((FloatVector) s1.convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, f16(segment, base + 18) * xd[j / 32 + 1]), acc1);
        }
        return sum(acc0, acc1);
    }

    /** Two blocks in 32 short lanes: one 64-byte load, a permute of 16-bit words, 512-bit AND/shift/multiplies, codes pre-arranged per pair, −8 as precomputed offsets (same bits). */
    static float pair512(MemorySegment segment, long offset, short[] xp, float[] xd, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        long base = offset / 32 * 18;
        long wide = segment.byteSize() - 64;
        int j = 0, o = 0;
        for (; j + 64 <= n && base <= wide; j += 64, base += 36, o += 96) {
            ShortVector p = (ShortVector) ShortVector.fromMemorySegment(ShortVector.SPECIES_512, segment, base, ByteOrder.LITTLE_ENDIAN)
                    .rearrange(PAIR_QUANTS).reinterpretAsBytes().convertShape(VectorOperators.ZERO_EXTEND_B2S, ShortVector.SPECIES_512, 0);
            ShortVector s = p.and((short) 0xF).mul(ShortVector.fromArray(ShortVector.SPECIES_512, xp, o))
                    .add(p.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(ShortVector.SPECIES_512, xp, o + 32)))
                    .add(ShortVector.fromArray(ShortVector.SPECIES_512, xp, o + 64));
            acc0 = ((FloatVector) s.convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, f16(segment, base) * xd[j >> 5]), acc0);
            acc1 = ((FloatVector) s.convertShape(VectorOperators.S2F, F, 1)).fma(FloatVector.broadcast(F, f16(segment, base + 18) * xd[(j >> 5) + 1]), acc1);
        }
        return sum(acc0, acc1);
    }

    /** current without the four −8 subtractions: −8·(code i + code i+16) per lane precomputed with the activations (same bits). */
    static float offsets(MemorySegment segment, long offset, short[] xq, short[] xo, float[] xd, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        long base = offset / 32 * 18;
        int j = 0;
        for (; j + 64 <= n; j += 64, base += 36) {
            ShortVector p0 = (ShortVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, base + 2, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, ShortVector.SPECIES_256, 0);
            ShortVector p1 = (ShortVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, segment, base + 20, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, ShortVector.SPECIES_256, 0);
            ShortVector s0 = p0.and((short) 0xF).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j))
                    .add(p0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j + 16)))
                    .add(ShortVector.fromArray(ShortVector.SPECIES_256, xo, j >> 1));
            ShortVector s1 = p1.and((short) 0xF).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j + 32))
                    .add(p1.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(ShortVector.SPECIES_256, xq, j + 48)))
                    .add(ShortVector.fromArray(ShortVector.SPECIES_256, xo, (j >> 1) + 16));
            acc0 = ((FloatVector) s0.convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, f16(segment, base) * xd[j >> 5]), acc0);
            acc1 = ((FloatVector) s1.convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, f16(segment, base + 18) * xd[(j >> 5) + 1]), acc1);
        }
        return sum(acc0, acc1);
    }

    /** current with four blocks per iteration, still even/odd accumulators (same bits). */
    static float unroll4(MemorySegment segment, long offset, short[] xq, float[] xd, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        long base = offset / 32 * 18;
        int j = 0;
        for (; j + 128 <= n; j += 128, base += 72) {
            for (int u = 0; u < 2; u++) {
            int jj = j + 64 * u; long bb = base + 36 * u;
            ShortVector s0 = lanes(segment, bb, xq, jj);
            ShortVector s1 = lanes(segment, bb + 18, xq, jj + 32);
            acc0 = ((FloatVector) s0.convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, f16(segment, bb) * xd[jj >> 5]), acc0);
            acc1 = ((FloatVector) s1.convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, f16(segment, bb + 18) * xd[(jj >> 5) + 1]), acc1);
            }
        }
        if (j < n) { // a last pair when n is not a multiple of 128: as current
            ShortVector s0 = lanes(segment, base, xq, j);
            ShortVector s1 = lanes(segment, base + 18, xq, j + 32);
            acc0 = ((FloatVector) s0.convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, f16(segment, base) * xd[j >> 5]), acc0);
            acc1 = ((FloatVector) s1.convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, f16(segment, base + 18) * xd[(j >> 5) + 1]), acc1);
        }
        return sum(acc0, acc1);
    }

    /** current as a counted loop over one induction variable, for range-check elimination (same bits). */
    static float counted(MemorySegment segment, long offset, short[] xq, float[] xd, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        long base0 = offset / 32 * 18;
        int pairs = n / 64;
        for (int k = 0; k < pairs; k++) {
            long base = base0 + k * 36L;
            int j = k * 64;
            ShortVector s0 = lanes(segment, base, xq, j);
            ShortVector s1 = lanes(segment, base + 18, xq, j + 32);
            acc0 = ((FloatVector) s0.convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, f16(segment, base) * xd[2 * k]), acc0);
            acc1 = ((FloatVector) s1.convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, f16(segment, base + 18) * xd[2 * k + 1]), acc1);
        }
        return sum(acc0, acc1);
    }

    /** bound: the block scales d·dx read from a float array made beforehand (no f16 conversion, no multiply). */
    static float prescaled(MemorySegment segment, long offset, short[] xq, float[] ws, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        long base = offset / 32 * 18;
        int wb = (int) (offset / 32);
        int j = 0;
        for (; j + 64 <= n; j += 64, base += 36, wb += 2) {
            ShortVector s0 = lanes(segment, base, xq, j);
            ShortVector s1 = lanes(segment, base + 18, xq, j + 32);
            acc0 = ((FloatVector) s0.convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, ws[wb]), acc0);
            acc1 = ((FloatVector) s1.convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, ws[wb + 1]), acc1);
        }
        return sum(acc0, acc1);
    }

    /** bound: no scales at all (adds instead of FMAs). */
    static float noScale(MemorySegment segment, long offset, short[] xq, float[] ws, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        long base = offset / 32 * 18;
        int j = 0;
        for (; j + 64 <= n; j += 64, base += 36) {
            ShortVector s0 = lanes(segment, base, xq, j);
            ShortVector s1 = lanes(segment, base + 18, xq, j + 32);
            acc0 = acc0.add((FloatVector) s0.convertShape(VectorOperators.S2F, F, 0));
            acc1 = acc1.add((FloatVector) s1.convertShape(VectorOperators.S2F, F, 0));
        }
        return sum(acc0, acc1);
    }

    /** bound: only the integer part (16-bit sums accumulated in shorts). */
    static float intOnly(MemorySegment segment, long offset, short[] xq, float[] xd, int n) {
        ShortVector a = ShortVector.zero(ShortVector.SPECIES_256), b = a;
        long base = offset / 32 * 18;
        int j = 0;
        for (; j + 64 <= n; j += 64, base += 36) {
            ShortVector s0 = lanes(segment, base, xq, j);
            ShortVector s1 = lanes(segment, base + 18, xq, j + 32);
            a = a.add(s0); b = b.add(s1);
        }
        return sum((FloatVector) a.convertShape(VectorOperators.S2F, F, 0), (FloatVector) b.convertShape(VectorOperators.S2F, F, 0));
    }

    /** bound: only the float part (codes converted and FMA'd with the scales). */
    static float floatOnly(MemorySegment segment, long offset, short[] xq, float[] xd, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        long base = offset / 32 * 18;
        int j = 0;
        for (; j + 64 <= n; j += 64, base += 36) {
            ShortVector s0 = ShortVector.fromArray(ShortVector.SPECIES_256, xq, j);
            ShortVector s1 = ShortVector.fromArray(ShortVector.SPECIES_256, xq, j + 32);
            acc0 = ((FloatVector) s0.convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, f16(segment, base) * xd[j >> 5]), acc0);
            acc1 = ((FloatVector) s1.convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, f16(segment, base + 18) * xd[(j >> 5) + 1]), acc1);
        }
        return sum(acc0, acc1);
    }

    static float run(String name, MemorySegment seg, short[] xq, short[] xp, float[] xd, int r, int cols) {
        long off = (long) r * cols;
        return switch (name) {
            case "current" -> current(seg, off, xq, xd, cols);
            case "pair512" -> pair512(seg, off, xp, xd, cols);
            case "offsets" -> offsets(seg, off, xq, XO, xd, cols);
            case "unroll4" -> unroll4(seg, off, xq, xd, cols);
            case "counted" -> counted(seg, off, xq, xd, cols);
            case "prescaled" -> prescaled(seg, off, xq, WS, cols);
            case "noScale" -> noScale(seg, off, xq, WS, cols);
            case "intOnly" -> intOnly(seg, off, xq, xd, cols);
            case "floatOnly" -> floatOnly(seg, off, xq, xd, cols);
            default -> throw new IllegalArgumentException("unknown variant " + name);
        };
    }

    public static void main(String[] args) {
        int rows = Integer.getInteger("rows", 256), cols = Integer.getInteger("cols", 2048), its = Integer.getInteger("its", 5000);
        if (cols <= 0 || cols % 64 != 0) throw new IllegalArgumentException("cols must be a positive multiple of 64 (whole pairs of blocks), got " + cols);
        int nb = cols / 32;
        Random r = new Random(1);
        long bytes = (long) rows * nb * 18;
        // 64 bytes of padding: pair512's 64-byte load at the last pair stays inside the segment
        MemorySegment seg = Arena.global().allocate(bytes + 64, 64);
        for (long i = 0; i < bytes; i++) seg.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt());
        for (long b = 0; b < (long) rows * nb; b++) seg.set(SHORT_LE, b * 18, Float.floatToFloat16((float) r.nextGaussian() * 0.01f));
        short[] xq = new short[cols];
        float[] xd = new float[nb];
        for (int i = 0; i < cols; i++) xq[i] = (short) (r.nextInt(255) - 127);
        for (int i = 0; i < nb; i++) xd[i] = (float) r.nextDouble();
        short[] xp = new short[(nb + 1) / 2 * 96];
        XO = new short[cols / 2];
        for (int b = 0; b < nb; b++) {
            int p = (b >> 1) * 96 + (b & 1) * 16;
            for (int k = 0; k < 16; k++) {
                short lo = xq[b * 32 + k], hi = xq[b * 32 + 16 + k];
                xp[p + k] = lo;
                xp[p + 32 + k] = hi;
                xp[p + 64 + k] = XO[b * 16 + k] = (short) (-8 * (lo + hi));
            }
        }
        WS = new float[rows * nb];
        for (int i = 0; i < WS.length; i++) WS[i] = f16(seg, i * 18L) * xd[i % nb];
        String[] names = args.length > 0 ? args
                : new String[] {"current", "pair512", "offsets", "unroll4", "counted", "prescaled", "noScale", "intOnly", "floatOnly"};
        float[] out = new float[rows];
        for (String nm : names) {
            for (int i = 0; i < rows; i++) out[i] = run(nm, seg, xq, xp, xd, i, cols);
            System.out.printf("%-10s check %s %s%n", nm, Float.toHexString(out[0]), Float.toHexString(out[rows - 1]));
        }
        for (int round = 0; round < 3; round++) {
            for (String nm : names) {
                long best = Long.MAX_VALUE;
                for (int it = 0; it < its; it++) {
                    long t = System.nanoTime();
                    for (int i = 0; i < rows; i++) out[i] = run(nm, seg, xq, xp, xd, i, cols);
                    best = Math.min(best, System.nanoTime() - t);
                }
                System.out.printf("round %d %-10s min %8.1f us  %6.2f G weights/s%n", round, nm, best / 1e3, (double) rows * cols / best);
            }
        }
    }
}
