package dev.winnow.kv.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The channel-major key stores ({@link F32KeyStore}, {@link F16KeyStore}): each holds exactly the
 * values the row-major store of its encoding holds through appends, inserts, retains and rollbacks across tile boundaries, and every score
 * path (range from any start, list, aligned runs in a list, one or several heads, vector or not)
 * gives the bits of its definition — {@code scale × fma-chain over the channels in order} —
 * computed here with scalar {@link Math#fma} over the decoded values.
 */
class KeyTilesTest {
    /** Each tiled key store beside the row-major store of its encoding. */
    private static final List<Map.Entry<IntFunction<TokenStore>, IntFunction<TokenStore>>> PAIRS = List.of(
            Map.entry(F32KeyStore::new, F32Store::new),
            Map.entry(d -> new F16KeyStore(d, false), d -> new F16Store(d, false)),
            Map.entry(d -> new F16KeyStore(d, true), d -> new F16Store(d, true)));

    private static float[] vectors(Random r, int n, int dim) {
        return Stores.vectors(r, n, dim);
    }

    private static float definition(VectorStore s, int e, float[] q, int qOff, float scale) {
        float[] v = new float[s.dim()];
        s.get(e, v, 0);
        float acc = 0f;
        for (int c = 0; c < v.length; c++) acc = Math.fma(v[c], q[qOff + c], acc);
        return scale * acc;
    }

    @Test
    void holdsWhatTheRowMajorStoreHolds() {
        Random r = new Random(3);
        for (var pair : PAIRS) {
            for (int dim : new int[] {1, 5, 64}) {
                TokenStore keys = pair.getKey().apply(dim);
                TokenStore rows = pair.getValue().apply(dim);
                float[] v = vectors(r, 200, dim);
                for (int i = 0; i < 37; i++) {
                    keys.append(v, i * dim);
                    rows.append(v, i * dim);
                }
                keys.insert(5, v, 150 * dim);
                rows.insert(5, v, 150 * dim);
                keys.set(17, v, 151 * dim);
                rows.set(17, v, 151 * dim);
                int[] keep = IntStream.range(0, keys.size()).filter(i -> i % 3 != 1).toArray();
                keys.retain(keep);
                rows.retain(keep);
                keys.appendAll(v, 160 * dim, 20);
                rows.appendAll(v, 160 * dim, 20);
                int base = keys.size() - 20;
                keys.rollback(base, new int[] {1, 4, 15, 16}, 4);
                rows.rollback(base, new int[] {1, 4, 15, 16}, 4);
                assertThat(keys.size()).isEqualTo(rows.size());
                float[] a = new float[dim], b = new float[dim];
                for (int i = 0; i < keys.size(); i++) {
                    keys.get(i, a, 0);
                    rows.get(i, b, 0);
                    assertThat(a).as("%s dim %d entry %d", keys.codec(), dim, i).containsExactly(b);
                }
                assertThat(keys.bytesUsed()).isEqualTo(rows.bytesUsed());
                assertThatThrownBy(() -> keys.get(keys.size(), a, 0)).isInstanceOf(IndexOutOfBoundsException.class);
            }
        }
    }

    @Test
    void everyScorePathGivesTheBitsOfTheDefinition() {
        Random r = new Random(11);
        for (var pair : PAIRS) {
            for (int dim : new int[] {3, 16, 64}) {
                for (int n : new int[] {1, 15, 16, 17, 64, 65, 200}) {
                    TokenStore s = pair.getKey().apply(dim);
                    s.appendAll(vectors(r, n, dim), 0, n);
                    int heads = 3;
                    float[] q = new float[1 + heads * dim];
                    for (int i = 0; i < q.length; i++) q[i] = (float) r.nextGaussian();
                    float scale = 0.125f;
                    int[] all = IntStream.range(0, n).toArray();
                    int[] scattered = IntStream.range(0, n).filter(i -> i % 5 != 2).toArray();
                    // aligned runs of 16 (pages) mixed with single entries
                    int[] pages = IntStream.range(0, n).filter(i -> i / 16 % 2 == 0 || i % 7 == 0).toArray();
                    for (int from : new int[] {0, Math.min(n - 1, 1), n / 2, Math.min(n - 1, 16)}) {
                        check(s, q, heads, null, from, n, scale);
                        check(s, q, heads, all, from, n, scale);
                    }
                    check(s, q, heads, scattered, 0, scattered.length, scale);
                    check(s, q, heads, pages, 0, pages.length, scale);
                    check(s, q, 1, pages, 1, pages.length, scale);
                    float[] d = new float[n], at = new float[n];
                    s.dots(q, 1, n, scale, d, 0);
                    s.dotsAt(q, 1, all, n, scale, at, 0);
                    for (int e = 0; e < n; e++) {
                        assertThat(d[e]).as("dots entry %d", e).isEqualTo(definition(s, e, q, 1, scale));
                    }
                    assertThat(at).containsExactly(d);
                }
            }
        }
    }

    private static void check(TokenStore s, float[] q, int heads, int[] idx, int from, int to, float scale) {
        int m = to - from, stride = m + 2;
        float[] out = new float[heads * stride + 1];
        s.dotsGroup(q, 1, heads, idx, from, to, scale, out, 1, stride);
        for (int h = 0; h < heads; h++) {
            for (int j = from; j < to; j++) {
                int e = idx == null ? j : idx[j];
                assertThat(out[1 + h * stride + j - from])
                        .as("%s dim %d n %d head %d list position %d (entry %d)", s.codec(), s.dim(), s.size(), h, j, e)
                        .isEqualTo(definition(s, e, q, 1 + h * s.dim(), scale));
            }
        }
    }

    @Test
    void aListNamingAnEntryOutsideTheStoreIsRefused() {
        for (var pair : PAIRS) {
            TokenStore s = pair.getKey().apply(4);
            s.appendAll(new float[4 * 20], 0, 20);
            int[] idx = IntStream.range(16, 32).toArray(); // an aligned run past the end
            float[] out = new float[16];
            assertThatThrownBy(() -> s.dotsGroup(new float[4], 0, 1, idx, 0, 16, 1f, out, 0, 0))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            int[] single = {3, 20};
            assertThatThrownBy(() -> s.dotsGroup(new float[4], 0, 1, single, 0, 2, 1f, out, 0, 0))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void theScalarFallbackGivesTheVectorKernelsBits() {
        Random r = new Random(5);
        for (int dim : new int[] {1, 7, 64}) {
            for (int tiles = 1; tiles <= 4; tiles++) {
                float[] k = vectors(r, tiles * KeyTiles.TILE + 1, dim);
                float[] q = vectors(r, 1, dim + 2);
                float[] a = new float[KeyTiles.GROUP], b = new float[KeyTiles.GROUP];
                KeyTiles.score(k, dim, tiles, dim, q, 2, 0.3f, a);
                KeyTiles.scoreScalar(k, dim, tiles, dim, q, 2, 0.3f, b);
                assertThat(a).as("dim %d, %d tiles", dim, tiles).containsExactly(b);
            }
        }
    }
}
