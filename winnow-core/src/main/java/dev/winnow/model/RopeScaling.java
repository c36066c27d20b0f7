package dev.winnow.model;

import dev.winnow.gguf.GgufFile;

/**
 * How positions or frequencies of RoPE are scaled for contexts beyond the trained one, from
 * {@code <arch>.rope.scaling.*}: none; linear (positions × 1/factor); YaRN (per-frequency mix
 * of interpolation and extrapolation with a ramp between the correction dimensions, and a
 * magnitude correction, as llama.cpp); llama3 (per-frequency factors in the
 * {@code rope_freqs.weight} tensor, applied by {@link Rope}).
 *
 * @param originalContext the context the model was trained with before scaling (YaRN)
 * @param attnFactor YaRN magnitude scale
 */
public record RopeScaling(Type type, float factor, int originalContext, float attnFactor, float betaFast,
                          float betaSlow) {
    public enum Type { NONE, LINEAR, YARN, LLAMA3 }

    public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1f, 0, 1f, 32f, 1f);

    /** Positions (for linear) or interpolated frequencies (for YaRN) are multiplied by this. */
    public float freqScale() {
        return type == Type.LINEAR || type == Type.YARN ? 1f / factor : 1f;
    }

    static RopeScaling fromGguf(GgufFile f, String arch, int contextLength) {
        String p = arch + ".rope.scaling.";
        String t = f.findString(p + "type").orElse("none");
        float factor = f.getFloat(p + "factor", 1f);
        return switch (t) {
            case "none" -> NONE;
            case "llama3" -> new RopeScaling(Type.LLAMA3, factor, 0, 1f, 32f, 1f);
            case "linear", "yarn" -> {
                if (!(factor > 0)) {
                    throw new ModelException(f.path() + ": " + p + "factor = " + factor + " (expected > 0)");
                }
                if (t.equals("linear")) yield new RopeScaling(Type.LINEAR, factor, 0, 1f, 32f, 1f);
                int orig = f.getInt(p + "original_context_length", contextLength);
                float attn = f.getFloat(p + "attn_factor", 1f);
                yield new RopeScaling(Type.YARN, factor, orig, attn, f.getFloat(p + "yarn_beta_fast", 32f),
                        f.getFloat(p + "yarn_beta_slow", 1f));
            }
            default -> throw new ModelException(f.path() + ": unsupported rope scaling '" + t + "' (" + p
                    + "type); supported: none, linear, yarn, llama3");
        };
    }
}
