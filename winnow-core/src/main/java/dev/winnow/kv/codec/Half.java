package dev.winnow.kv.codec;

/**
 * f16 and bf16 conversions for the codecs: scales are rounded up and minima down, so that a
 * block quantized with the stored (rounded) parameters still covers its values and the error
 * stays within half a step.
 */
final class Half {
    static final float MAX = 65504f;

    private Half() {
    }

    static float f16(short h) {
        return Float.float16ToFloat(h);
    }

    static short toF16(float v) {
        return Float.floatToFloat16(v);
    }

    /** The nearest f16 not below {@code v} (finite {@code v} within the f16 range). */
    static short up(float v) {
        short h = Float.floatToFloat16(v);
        float f = Float.float16ToFloat(h);
        if (f >= v) return h;
        if ((h & 0x8000) == 0) return (short) (h + 1); // positive: next larger magnitude
        if (h == (short) 0x8000) return 0x0001; // -0 → smallest positive subnormal
        return (short) (h - 1); // negative: smaller magnitude
    }

    /** The nearest f16 not above {@code v}. */
    static short down(float v) {
        short h = Float.floatToFloat16(v);
        float f = Float.float16ToFloat(h);
        if (f <= v) return h;
        if ((h & 0x8000) != 0) return (short) (h + 1); // negative: next larger magnitude
        if (h == 0) return (short) 0x8001; // +0 → smallest negative subnormal
        return (short) (h - 1);
    }

    /** Checks that a value can be held in f16 parameters (otherwise the codec would silently produce infinities). */
    static void checkRange(float v, String codec) {
        if (!(Math.abs(v) <= MAX)) {
            throw new ArithmeticException(codec + ": value " + v + " is outside the f16 range of the codec's scales (±65504)");
        }
    }

    /** bf16 bits of {@code f}, rounded to nearest even (NaN stays NaN). */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    static float bf16(short h) {
        return Float.intBitsToFloat((h & 0xFFFF) << 16);
    }

    /**
     * {@code out[outOff + c] = value of d[from + c]} for {@code c < len}, f16 or ({@code brain}) bf16:
     * one flat loop each, which C2 compiles to vector conversions (vcvtph2ps for f16, shifts for bf16).
     */
    static void toFloats(short[] d, int from, int len, boolean brain, float[] out, int outOff) {
        if (brain) {
            for (int c = 0; c < len; c++) out[outOff + c] = Float.intBitsToFloat((d[from + c] & 0xFFFF) << 16);
        } else {
            for (int c = 0; c < len; c++) out[outOff + c] = Float.float16ToFloat(d[from + c]);
        }
    }
}
