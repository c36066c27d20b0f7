package dev.winnow.model;

import dev.winnow.tensor.Repacker;
import dev.winnow.tensor.FloatTensor;
import java.lang.foreign.Arena;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The weights with every Q8_0/Q4_0 matrix used by matrix–vector products in the repacked
 * layout ({@link Repacker}); the token embedding (read one row at a time) keeps the plain
 * mapping, and so does a tied output matrix, which is the embedding.
 */
final class RepackedWeights {
    private RepackedWeights() {
    }

    static Weights repack(Weights w, Arena arena) {
        return rebuild(w, plain -> Repacker.repack(plain.tensor(), plain.rows(), plain.cols(), arena, true));
    }

    /** {@code w} with each of {@code matrices} (as {@link RepackCache#repackedMatrices} lists them) replaced by its tensor. */
    static Weights replace(Weights w, List<Matrix> matrices, List<FloatTensor> tensors) {
        Map<Matrix, FloatTensor> by = new IdentityHashMap<>();
        for (int i = 0; i < matrices.size(); i++) by.put(matrices.get(i), tensors.get(i));
        return rebuild(w, m -> by.getOrDefault(m, m.tensor()));
    }

    private static Weights rebuild(Weights w, Function<Matrix, FloatTensor> f) {
        LayerWeights[] layers = new LayerWeights[w.layers().length];
        for (int l = 0; l < layers.length; l++) {
            LayerWeights x = w.layers()[l];
            layers[l] = new LayerWeights(x.attnNorm(), m(x.wq(), f), m(x.wk(), f), m(x.wv(), f),
                    m(x.wo(), f), x.bq(), x.bk(), x.bv(), x.qNorm(), x.kNorm(), x.ffnNorm(),
                    m(x.wGate(), f), m(x.wUp(), f), m(x.wDown(), f));
        }
        Matrix out = w.tiedOutput() ? w.output() : m(w.output(), f);
        Matrix embd = w.tiedOutput() ? out : w.tokenEmbedding();
        return new Weights(embd, layers, w.outputNorm(), out, w.tiedOutput(), w.ropeFreqFactors());
    }

    private static Matrix m(Matrix plain, Function<Matrix, FloatTensor> f) {
        return new Matrix(plain.name(), f.apply(plain), plain.rows(), plain.cols());
    }
}
