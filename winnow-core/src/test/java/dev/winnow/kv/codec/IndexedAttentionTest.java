package dev.winnow.kv.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The subset kernels of sparse attention ({@link VectorStore#dotsAt}, {@link VectorStore#accumulateAt})
 * against the whole-store kernels on the same entries, for every store kind and awkward sizes.
 */
class IndexedAttentionTest {
    static java.util.List<Stores.Kind> kinds() {
        return Stores.all();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void subsetKernelsMatchTheWholeStoreKernels(Stores.Kind kind) {
        Random r = new Random(3);
        for (int dim : new int[] {8, 32, 64, 96}) {
            for (int n : new int[] {1, 7, 45}) {
                float[] v = Stores.vectors(r, n, dim);
                VectorStore s = Stores.filled(kind, dim, v, n);
                float[] q = new float[dim + 3];
                for (int i = 0; i < q.length; i++) q[i] = (float) r.nextGaussian();
                float[] all = new float[n];
                s.dots(q, 3, n, 0.5f, all, 0);
                // every other entry, and the last one
                int[] idx = java.util.stream.IntStream.range(0, n).filter(i -> i % 2 == 0 || i == n - 1).toArray();
                float[] some = new float[idx.length + 2];
                s.dotsAt(q, 3, idx, idx.length, 0.5f, some, 2);
                for (int j = 0; j < idx.length; j++) {
                    assertThat(some[2 + j]).as("%s dim %d n %d entry %d", kind, dim, n, idx[j])
                            .isCloseTo(all[idx[j]], within(1e-4f * (1 + Math.abs(all[idx[j]]))));
                }
                // Σ w·v over the subset = the whole-store sum with zero weights elsewhere
                float[] w = new float[n], wSub = new float[idx.length + 1];
                for (int j = 0; j < idx.length; j++) w[idx[j]] = wSub[1 + j] = (float) r.nextDouble();
                float[] expected = new float[dim + 1], actual = new float[dim + 1];
                s.accumulate(w, 0, n, expected, 1);
                s.accumulateAt(wSub, 1, idx, idx.length, actual, 1);
                for (int c = 1; c <= dim; c++) {
                    assertThat(actual[c]).as("%s dim %d n %d channel %d", kind, dim, n, c)
                            .isCloseTo(expected[c], within(1e-4f * (1 + Math.abs(expected[c]))));
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void allIndicesInOrderGiveTheWholeStoreResult(Stores.Kind kind) {
        Random r = new Random(5);
        int dim = 32, n = 20;
        VectorStore s = Stores.filled(kind, dim, Stores.vectors(r, n, dim), n);
        float[] q = new float[dim];
        for (int i = 0; i < dim; i++) q[i] = (float) r.nextGaussian();
        int[] idx = java.util.stream.IntStream.range(0, n).toArray();
        float[] a = new float[n], b = new float[n];
        s.dots(q, 0, n, 1f, a, 0);
        s.dotsAt(q, 0, idx, n, 1f, b, 0);
        for (int i = 0; i < n; i++) assertThat(b[i]).isCloseTo(a[i], within(1e-4f * (1 + Math.abs(a[i]))));
    }
}
