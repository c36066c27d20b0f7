package dev.winnow.kv.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The grouped kernels ({@link VectorStore#dotsGroup}, {@link VectorStore#accumulateGroup}) of every
 * store kind against a double-precision reference over the decoded vectors, for ranges and lists
 * starting anywhere, 1 or 3 heads, 1 entry to several decode blocks; and a list naming a range's
 * entries gives the range's bits exactly (sparse at full budget equals full).
 */
class GroupedKernelsTest {
    static java.util.List<Stores.Kind> kinds() {
        return Stores.all();
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void groupedKernelsMatchTheDecodedVectors(Stores.Kind kind) {
        Random r = new Random(17);
        for (int dim : new int[] {8, 32, 64}) {
            for (int n : new int[] {1, 7, 130}) {
                VectorStore s = Stores.filled(kind, dim, Stores.vectors(r, n, dim), n);
                F32Store decoded = Stores.decoded(s);
                for (int heads : new int[] {1, 3}) {
                    float[] q = new float[2 + heads * dim];
                    for (int i = 0; i < q.length; i++) q[i] = (float) r.nextGaussian();
                    int from = n / 3, to = n;
                    int m = to - from, stride = m + 1;
                    int[] range = IntStream.range(0, n).toArray();
                    int[] odd = IntStream.range(0, n).filter(i -> i % 2 == 1 || i == 0).toArray();
                    for (int[] list : new int[][] {null, range, odd}) {
                        int lo = list == odd ? 0 : from, hi = list == odd ? odd.length : to;
                        float[] dots = new float[heads * stride + 1];
                        s.dotsGroup(q, 2, heads, list, lo, hi, 0.5f, dots, 1, stride);
                        float[] w = new float[heads * stride];
                        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextDouble();
                        float[] out = new float[heads * dim + 1];
                        for (int i = 0; i < out.length; i++) out[i] = (float) r.nextGaussian();
                        float[] before = out.clone();
                        s.accumulateGroup(w, 0, stride, heads, list, lo, hi, out, 1);
                        float[] v = new float[dim];
                        for (int h = 0; h < heads; h++) {
                            double[] sum = new double[dim];
                            for (int j = lo; j < hi; j++) {
                                int e = list == null ? j : list[j];
                                decoded.get(e, v, 0);
                                double dot = 0;
                                for (int c = 0; c < dim; c++) {
                                    dot += (double) q[2 + h * dim + c] * v[c];
                                    sum[c] += (double) w[h * stride + j - lo] * v[c];
                                }
                                assertThat((double) dots[1 + h * stride + j - lo]).as("%s dim %d n %d head %d entry %d", kind, dim, n, h, e)
                                        .isCloseTo(0.5 * dot, within(1e-4 * (1 + Math.abs(dot))));
                            }
                            for (int c = 0; c < dim; c++) {
                                double want = before[1 + h * dim + c] + sum[c];
                                assertThat((double) out[1 + h * dim + c]).as("%s dim %d n %d head %d channel %d", kind, dim, n, h, c)
                                        .isCloseTo(want, within(1e-4 * (1 + Math.abs(want) + m)));
                            }
                        }
                    }
                    // a list naming the range's entries: the same bits
                    float[] a = new float[heads * stride], b = new float[heads * stride];
                    s.dotsGroup(q, 2, heads, null, from, to, 1f, a, 0, stride);
                    s.dotsGroup(q, 2, heads, range, from, to, 1f, b, 0, stride);
                    assertThat(b).as("%s dots by list", kind).containsExactly(a);
                    float[] w = new float[heads * stride];
                    for (int i = 0; i < w.length; i++) w[i] = (float) r.nextDouble();
                    float[] x = new float[heads * dim], y = new float[heads * dim];
                    s.accumulateGroup(w, 0, stride, heads, null, from, to, x, 0);
                    s.accumulateGroup(w, 0, stride, heads, range, from, to, y, 0);
                    assertThat(y).as("%s sums by list", kind).containsExactly(x);
                }
            }
        }
    }
}
