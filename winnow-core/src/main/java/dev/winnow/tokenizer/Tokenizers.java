package dev.winnow.tokenizer;

import dev.winnow.gguf.GgufFile;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Creates the tokenizer a model file describes. */
public final class Tokenizers {
    /** {@code tokenizer.ggml.model} value → factory. Add new tokenizer kinds here. */
    private static final Map<String, Function<GgufFile, Tokenizer>> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put("llama", SentencePieceTokenizer::fromGguf); // SentencePiece (llama.cpp's "SPM")
        FACTORIES.put("gpt2", ByteLevelBpeTokenizer::fromGguf);    // byte-level BPE (llama.cpp's "BPE")
    }

    private Tokenizers() {
    }

    /** The supported {@code tokenizer.ggml.model} values. */
    public static Set<String> supportedModels() {
        return Collections.unmodifiableSet(FACTORIES.keySet());
    }

    /**
     * The tokenizer described by the file's {@code tokenizer.ggml.*} metadata. The result keeps
     * no reference to the file, which may be closed afterwards.
     *
     * @throws IllegalArgumentException when the file has no tokenizer or an unsupported kind
     * @throws dev.winnow.gguf.GgufException when required tokenizer metadata is missing or malformed
     */
    public static Tokenizer fromGguf(GgufFile file) {
        if (!file.has(Vocabulary.KEY_MODEL)) {
            throw new IllegalArgumentException(file.path() + ": no tokenizer: missing metadata '" + Vocabulary.KEY_MODEL
                    + "' (supported tokenizer models: " + supportedList() + ")");
        }
        String model = file.getString(Vocabulary.KEY_MODEL);
        Function<GgufFile, Tokenizer> factory = FACTORIES.get(model);
        if (factory == null) {
            throw new IllegalArgumentException(file.path() + ": unsupported tokenizer '" + Vocabulary.KEY_MODEL + "' = \""
                    + model + "\" (supported tokenizer models: " + supportedList() + ")");
        }
        return factory.apply(file);
    }

    private static String supportedList() {
        StringBuilder sb = new StringBuilder();
        for (String m : FACTORIES.keySet()) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append('"').append(m).append('"');
        }
        return sb.toString();
    }
}
