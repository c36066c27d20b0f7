package dev.winnow.model;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The model architectures Winnow runs, keyed by GGUF {@code general.architecture}. */
public enum Architecture {
    LLAMA("llama", RopeType.NORMAL),
    QWEN2("qwen2", RopeType.NEOX),
    /** qwen2 without biases, with a per-head RMSNorm on Q and K before RoPE. */
    QWEN3("qwen3", RopeType.NEOX);

    private final String ggufName;
    private final RopeType ropeType;

    Architecture(String ggufName, RopeType ropeType) {
        this.ggufName = ggufName;
        this.ropeType = ropeType;
    }

    public String ggufName() {
        return ggufName;
    }

    public RopeType ropeType() {
        return ropeType;
    }

    public static Architecture fromGguf(String name, Path file) {
        for (Architecture a : values()) {
            if (a.ggufName.equals(name)) return a;
        }
        throw new ModelException(file + ": unsupported architecture '" + name + "' (general.architecture); supported: "
                + Arrays.stream(values()).map(Architecture::ggufName).collect(Collectors.joining(", ")));
    }
}
