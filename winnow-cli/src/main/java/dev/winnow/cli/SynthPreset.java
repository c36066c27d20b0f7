package dev.winnow.cli;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Shapes of real models for {@code winnow synth} (llama architecture). */
enum SynthPreset {
    LLAMA_3_2_1B("llama-3.2-1b", 2048, 16, 32, 8, 8192, 128256, 131072, 500000f),
    SMOLLM2_135M("smollm2-135m", 576, 30, 9, 3, 1536, 49152, 16384, 100000f),
    TINY("tiny", 64, 2, 4, 2, 128, 512, 512, 10000f);

    final String id;
    final int dim, layers, heads, kvHeads, ffn, vocab, context;
    final float ropeBase;

    SynthPreset(String id, int dim, int layers, int heads, int kvHeads, int ffn, int vocab, int context, float ropeBase) {
        this.id = id;
        this.dim = dim;
        this.layers = layers;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.ffn = ffn;
        this.vocab = vocab;
        this.context = context;
        this.ropeBase = ropeBase;
    }

    static String ids() {
        return Arrays.stream(values()).map(p -> p.id).collect(Collectors.joining(", "));
    }

    static SynthPreset of(String id) {
        for (SynthPreset p : values()) {
            if (p.id.equalsIgnoreCase(id)) return p;
        }
        throw new IllegalArgumentException("unknown preset '" + id + "' (presets: " + ids() + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}
