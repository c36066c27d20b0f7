package dev.winnow.model;

import dev.winnow.kv.KeyRotation;

/**
 * Rotary position embedding: per rotated pair i the angle at position p is
 * {@code p × scale × theta^(-2i/d) / freqFactor[i]}. Pairs are adjacent ({@link RopeType#NORMAL})
 * or half a head apart ({@link RopeType#NEOX}).
 */
public final class Rope implements KeyRotation {
    private final RopeType type;
    private final int headSize;
    private final int dims;
    private final float scale;
    private final double[] invFreq;

    /**
     * @param freqFactors per-pair divisors of the frequency (Llama 3 "rope_freqs"), or null
     */
    public Rope(RopeType type, int headSize, int dims, float theta, float scale, float[] freqFactors) {
        this.type = type;
        this.headSize = headSize;
        this.dims = dims;
        this.scale = scale;
        this.invFreq = new double[dims / 2];
        if (freqFactors != null && freqFactors.length < dims / 2) {
            throw new ModelException("rope_freqs has " + freqFactors.length + " factors, expected " + dims / 2);
        }
        for (int i = 0; i < dims / 2; i++) {
            double f = Math.pow(theta, -2.0 * i / dims);
            if (freqFactors != null) f /= freqFactors[i];
            invFreq[i] = f;
        }
    }

    /** Fills cos/sin tables for one position (length dims/2 each). */
    public void angles(int position, float[] cos, float[] sin) {
        double p = (double) position * scale;
        for (int i = 0; i < invFreq.length; i++) {
            double a = p * invFreq[i];
            cos[i] = (float) Math.cos(a);
            sin[i] = (float) Math.sin(a);
        }
    }

    /** Rotates {@code heads} consecutive head vectors starting at {@code x[off]} in place. */
    public void rotate(float[] x, int off, int heads, float[] cos, float[] sin) {
        int half = dims / 2;
        for (int h = 0; h < heads; h++) {
            int base = off + h * headSize;
            if (type == RopeType.NORMAL) {
                for (int i = 0; i < half; i++) {
                    float x0 = x[base + 2 * i], x1 = x[base + 2 * i + 1];
                    x[base + 2 * i] = x0 * cos[i] - x1 * sin[i];
                    x[base + 2 * i + 1] = x0 * sin[i] + x1 * cos[i];
                }
            } else {
                for (int i = 0; i < half; i++) {
                    float x0 = x[base + i], x1 = x[base + i + half];
                    x[base + i] = x0 * cos[i] - x1 * sin[i];
                    x[base + i + half] = x0 * sin[i] + x1 * cos[i];
                }
            }
        }
    }

    /** Rotates one head vector by a position difference (RoPE rotations compose additively). */
    @Override
    public void rotate(float[] key, int offset, int positionDelta) {
        float[] cos = new float[invFreq.length], sin = new float[invFreq.length];
        angles(positionDelta, cos, sin);
        rotate(key, offset, 1, cos, sin);
    }

    public int pairs() {
        return dims / 2;
    }
}
