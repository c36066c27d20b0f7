package dev.winnow.model;

import dev.winnow.kv.KeyRotation;

/**
 * Rotary position embedding: pair i of a head is rotated by the angle {@code p × f_i} at
 * position p, where {@code f_i = theta^(-2i/d) / freqFactor[i]} (Llama 3's {@code rope_freqs})
 * adjusted by the {@link RopeScaling}: × 1/factor for linear scaling; for YaRN a per-pair mix of
 * the interpolated and the original frequency (ramp between the correction dimensions from
 * beta_fast/beta_slow) and cos/sin scaled by {@code attn_factor × (1 + 0.1 ln factor)}, as
 * llama.cpp does. Pairs are adjacent ({@link RopeType#NORMAL}) or half the rotated dimensions
 * apart ({@link RopeType#NEOX}). Angles are linear in the position, so a key can be moved to
 * another position by rotating it by the difference ({@link #rotate(float[], int, int)}).
 */
public final class Rope implements KeyRotation {
    private final RopeType type;
    private final int headSize;
    private final int dims;
    private final double[] freq;
    private final float magnitude;

    /**
     * @param freqFactors per-pair divisors of the frequency (Llama 3 "rope_freqs"), or null
     */
    public Rope(RopeType type, int headSize, int dims, float theta, RopeScaling scaling, float[] freqFactors) {
        this.type = type;
        this.headSize = headSize;
        this.dims = dims;
        this.freq = new double[dims / 2];
        if (freqFactors != null && freqFactors.length < dims / 2) {
            throw new ModelException("rope_freqs has " + freqFactors.length + " factors, expected " + dims / 2);
        }
        double freqScale = scaling.freqScale();
        double[] corr = scaling.type() == RopeScaling.Type.YARN ? yarnCorrectionDims(dims, scaling, theta) : null;
        for (int i = 0; i < dims / 2; i++) {
            double f = Math.pow(theta, -2.0 * i / dims);
            if (freqFactors != null) f /= freqFactors[i];
            double interpolated = f * freqScale;
            if (corr != null) {
                double mix = ramp(corr[0], corr[1], 2 * i);
                freq[i] = interpolated * (1 - mix) + f * mix;
            } else {
                freq[i] = interpolated;
            }
        }
        this.magnitude = scaling.type() == RopeScaling.Type.YARN
                ? (float) (scaling.attnFactor() * (1 + 0.1 * Math.log(1 / freqScale))) : 1f;
    }

    /** YaRN's correction range: the pairs whose wavelength fits beta_fast … beta_slow times in the original context. */
    private static double[] yarnCorrectionDims(int dims, RopeScaling s, float base) {
        double start = Math.floor(corrDim(dims, s.originalContext(), s.betaFast(), base));
        double end = Math.ceil(corrDim(dims, s.originalContext(), s.betaSlow(), base));
        return new double[] {Math.max(0, start), Math.min(dims - 1, end)};
    }

    private static double corrDim(int dims, int originalContext, double rotations, double base) {
        return dims * Math.log(originalContext / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    private static double ramp(double low, double high, int i0) {
        double y = (i0 / 2 - low) / Math.max(0.001, high - low);
        return 1 - Math.min(1, Math.max(0, y));
    }

    /** Fills cos/sin tables for one position (length dims/2 each), including YaRN's magnitude. */
    public void angles(int position, float[] cos, float[] sin) {
        angles(position, magnitude, cos, sin);
    }

    private void angles(int position, float m, float[] cos, float[] sin) {
        for (int i = 0; i < freq.length; i++) {
            double a = position * freq[i];
            cos[i] = (float) Math.cos(a) * m;
            sin[i] = (float) Math.sin(a) * m;
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
        float[] cos = new float[freq.length], sin = new float[freq.length];
        angles(positionDelta, 1f, cos, sin); // a pure rotation: the magnitude was applied once already
        rotate(key, offset, 1, cos, sin);
    }

    public int pairs() {
        return dims / 2;
    }
}
