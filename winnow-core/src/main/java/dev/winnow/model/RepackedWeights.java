package dev.winnow.model;

import dev.winnow.tensor.Repacker;
import java.lang.foreign.Arena;

/**
 * The weights with every Q8_0/Q4_0 matrix used by matrix–vector products in the repacked
 * layout ({@link Repacker}); the token embedding (read one row at a time) keeps the plain
 * mapping, and so does a tied output matrix, which is the embedding.
 */
final class RepackedWeights {
    private RepackedWeights() {
    }

    static Weights repack(Weights w, Arena arena) {
        LayerWeights[] layers = new LayerWeights[w.layers().length];
        for (int l = 0; l < layers.length; l++) {
            LayerWeights x = w.layers()[l];
            layers[l] = new LayerWeights(x.attnNorm(), m(x.wq(), arena), m(x.wk(), arena), m(x.wv(), arena),
                    m(x.wo(), arena), x.bq(), x.bk(), x.bv(), x.qNorm(), x.kNorm(), x.ffnNorm(),
                    m(x.wGate(), arena), m(x.wUp(), arena), m(x.wDown(), arena));
        }
        Matrix out = w.tiedOutput() ? w.output() : m(w.output(), arena);
        Matrix embd = w.tiedOutput() ? out : w.tokenEmbedding();
        return new Weights(embd, layers, w.outputNorm(), out, w.tiedOutput(), w.ropeFreqFactors());
    }

    private static Matrix m(Matrix plain, Arena arena) {
        return new Matrix(plain.name(), Repacker.repack(plain.tensor(), plain.rows(), plain.cols(), arena, true),
                plain.rows(), plain.cols());
    }
}
