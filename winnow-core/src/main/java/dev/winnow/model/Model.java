package dev.winnow.model;

import dev.winnow.gguf.GgufFile;
import dev.winnow.tensor.Parallel;
import dev.winnow.tokenizer.Tokenizer;
import dev.winnow.tokenizer.Tokenizers;
import java.lang.foreign.Arena;
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
    /** Off-heap memory of the repacked weights (null: the plain mapping is used). */
    private final Arena repacked;
    /** Where the repacked weights came from (null: not repacked). */
    private final RepackCache.Result repackResult;

    private Model(GgufFile file, ModelConfig config, Weights weights, Tokenizer tokenizer, Transformer transformer,
                  Arena repacked, RepackCache.Result repackResult) {
        this.repacked = repacked;
        this.repackResult = repackResult;
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

    /**
     * Loads a model whose kernels run on {@code parallel}, reading its weights from the memory-mapped
     * file (no repacking: on the CPUs measured it did not decode faster and cost load time).
     */
    public static Model load(Path path, Parallel parallel) {
        return load(path, parallel, false);
    }

    /**
     * Loads a model whose kernels run on {@code parallel}. With {@code repack}, Q8_0 and Q4_0
     * matrices are copied at load into the interleaved layout ({@link RepackedWeights}), which
     * gives the same results bit for bit, and kept in a cache file that later loads map instead
     * ({@link RepackCache}; {@link #repackResult()} says which happened); without, the kernels read
     * the memory-mapped file.
     */
    public static Model load(Path path, Parallel parallel, boolean repack) {
        GgufFile f = GgufFile.open(path);
        Arena arena = repack ? Arena.ofShared() : null;
        try {
            ModelConfig c = ModelConfig.fromGguf(f);
            Tokenizer tok = Tokenizers.fromGguf(f);
            Weights w = Weights.load(f, c);
            RepackCache.Result r = repack ? RepackCache.load(path, w, arena) : null;
            if (r != null) w = r.weights();
            return new Model(f, c, w, tok, new Transformer(c, w, parallel), arena, r);
        } catch (RuntimeException e) {
            if (arena != null) arena.close();
            f.close();
            throw e;
        }
    }

    /** How the repacked weights were obtained (read from the cache file, written to it, or in memory), or null. */
    public RepackCache.Result repackResult() {
        return repackResult;
    }

    /** Whether Q8_0/Q4_0 weights were repacked at load. */
    public boolean repacked() {
        return repacked != null;
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
        if (repacked != null) repacked.close();
        file.close();
    }
}
