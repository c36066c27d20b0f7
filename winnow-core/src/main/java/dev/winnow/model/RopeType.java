package dev.winnow.model;

/** How rotary position embedding pairs the dimensions of a head. */
public enum RopeType {
    /** Adjacent pairs (x[2i], x[2i+1]): llama.cpp's LLAMA_ROPE_TYPE_NORM (llama, mistral). */
    NORMAL,
    /** Halves (x[i], x[i + d/2]): GPT-NeoX style (qwen2, qwen3, …). */
    NEOX
}
