package dev.winnow.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Softmax with a vectorized exponential. {@code exp} is Cephes' single-precision polynomial
 * (range reduction by powers of 2, degree-6 polynomial on |r| ≤ ln2/2: about 1 ulp) built from
 * adds, multiplies, fused multiply-adds and an exponent-field shift only — operations that give
 * the same bits in the interpreter and in compiled code, vector or scalar, so the result does
 * not depend on the JIT (the Vector API's own EXP does: it calls SVML once compiled). The vector
 * loop and the scalar tail compute the same function. Attention's softmax over thousands of
 * entries per query was a quarter of long-context prefill time with {@code Math.exp}.
 */
public final class Softmax {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    /** Below this, exp underflows to 0 (the result would be subnormal). */
    private static final float LOW = -87.33654f;
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    private Softmax() {
    }

    /** {@code e^x} for {@code x ≤ 0} (softmax's inputs after subtracting the maximum); 0 below −87.3. */
    public static float expNonPositive(float x) {
        if (!(x >= LOW)) return 0f;
        int k = (int) (x * LOG2E - 0.5f);
        float kf = k;
        float r = Math.fma(kf, -LN2_HI, x);
        r = Math.fma(kf, -LN2_LO, r);
        float p = Math.fma(P0, r, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float r2 = r * r;
        p = Math.fma(p, r2, r) + 1f;
        return p * Float.intBitsToFloat((k + 127) << 23);
    }

    /** Replaces {@code x[0…n)} by its softmax. */
    public static void inPlace(float[] x, int n) {
        int lanes = F.length(), bound = n - n % lanes;
        float max = max(x, 0, n);
        float sum = expShifted(x, 0, n, max);
        float inv = 1f / sum;
        for (int i = 0; i < bound; i += lanes) FloatVector.fromArray(F, x, i).mul(inv).intoArray(x, i);
        for (int i = bound; i < n; i++) x[i] *= inv;
    }

    /** The largest of {@code x[off…off+n)} ({@code −∞} when {@code n = 0}); exact in any order. */
    public static float max(float[] x, int off, int n) {
        int lanes = F.length(), bound = n - n % lanes;
        float max = Float.NEGATIVE_INFINITY;
        if (bound > 0) {
            FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            // The loaded vector is the receiver: its exact class is known, so C2 inlines max and
            // uses the vector instruction. With the loop-carried m as receiver the call stayed
            // virtual once FloatVector.max's type profile had seen another shape, and every
            // iteration ran the Java fallback (a JFR profile of speculative decoding showed it).
            for (int i = 0; i < bound; i += lanes) m = FloatVector.fromArray(F, x, off + i).max(m);
            max = m.reduceLanes(VectorOperators.MAX); // max is exact in any order
        }
        for (int i = bound; i < n; i++) max = Math.max(max, x[off + i]);
        return max;
    }

    /**
     * Replaces {@code x[off…off+n)} by {@code e^(x − max)} (for {@code max ≥} every value) and returns
     * their sum: the vector lanes summed in {@link FloatTensor#sum}'s fixed order, then the tail in
     * sequence — the same bits wherever the block starts. The unnormalised half of {@link #inPlace},
     * for attention that merges partial softmaxes.
     */
    public static float expShifted(float[] x, int off, int n, float max) {
        int lanes = F.length(), bound = n - n % lanes;
        FloatVector sumV = FloatVector.zero(F);
        for (int i = 0; i < bound; i += lanes) {
            FloatVector v = FloatVector.fromArray(F, x, off + i).sub(max);
            VectorMask<Float> live = v.compare(VectorOperators.GE, LOW);
            v = v.max(LOW);
            IntVector k = (IntVector) v.mul(LOG2E).sub(0.5f).convert(VectorOperators.F2I, 0);
            FloatVector kf = (FloatVector) k.convert(VectorOperators.I2F, 0);
            FloatVector r = kf.fma(FloatVector.broadcast(F, -LN2_HI), v);
            r = kf.fma(FloatVector.broadcast(F, -LN2_LO), r);
            FloatVector p = FloatVector.broadcast(F, P0).fma(r, FloatVector.broadcast(F, P1));
            p = p.fma(r, FloatVector.broadcast(F, P2));
            p = p.fma(r, FloatVector.broadcast(F, P3));
            p = p.fma(r, FloatVector.broadcast(F, P4));
            p = p.fma(r, FloatVector.broadcast(F, P5));
            p = p.fma(r.mul(r), r).add(1f);
            FloatVector scale = k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = p.mul(scale).blend(0f, live.not());
            e.intoArray(x, off + i);
            sumV = sumV.add(e);
        }
        float sum = bound > 0 ? FloatTensor.sum(sumV) : 0f;
        for (int i = bound; i < n; i++) {
            float e = expNonPositive(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        return sum;
    }
}
