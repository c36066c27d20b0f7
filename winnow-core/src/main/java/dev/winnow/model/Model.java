package dev.winnow.model;

import dev.winnow.gguf.GgufFile;
import dev.winnow.tensor.Parallel;
import dev.winnow.tokenizer.Tokenizer;
import dev.winnow.tokenizer.Tokenizers;
import java.nio.file.Path;

/**
 * A loaded model: the memory-mapped GGUF file, its configuration, weights, tokenizer and the
 * transformer that runs it. Thread-safe for concurrent sessions (weights are read-only); close
 * it to unmap the file.
 *
 * <pre>{@code
 * try (Model model = Model.load(Path.of("model.gguf"))) {
 *     Session session = new Session(model);
 *     session.generate("Once upon a time", GenerationParams.defaults(), System.out::print);
 * }
 * }</pre>
 */
public final class Model implements AutoCloseable {
    private final GgufFile file;
    private final ModelConfig config;
    private final Weights weights;
    private final Tokenizer tokenizer;
    private final Transformer transformer;

    private Model(GgufFile file, ModelConfig config, Weights weights, Tokenizer tokenizer, Transformer transformer) {
        this.file = file;
        this.config = config;
        this.weights = weights;
        this.tokenizer = tokenizer;
        this.transformer = transformer;
    }

    /** Loads a model using all available processors. */
    public static Model load(Path path) {
        return load(path, Parallel.shared());
    }

    /** Loads a model whose kernels run on {@code parallel}. */
    public static Model load(Path path, Parallel parallel) {
        GgufFile f = GgufFile.open(path);
        try {
            ModelConfig c = ModelConfig.fromGguf(f);
            Tokenizer tok = Tokenizers.fromGguf(f);
            Weights w = Weights.load(f, c);
            return new Model(f, c, w, tok, new Transformer(c, w, parallel));
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    public GgufFile file() {
        return file;
    }

    public Path path() {
        return file.path();
    }

    public ModelConfig config() {
        return config;
    }

    public Weights weights() {
        return weights;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public Transformer transformer() {
        return transformer;
    }

    @Override
    public void close() {
        file.close();
    }
}
