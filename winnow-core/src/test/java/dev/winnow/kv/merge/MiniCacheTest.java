package dev.winnow.kv.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.winnow.kv.codec.F32Store;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** MiniCache's rule on crafted vectors: the angle threshold, SLERP and the magnitude restore. */
class MiniCacheTest {
    static final float COS30 = (float) Math.cos(Math.toRadians(30));

    static float[] polar(float r, double degrees) {
        double a = Math.toRadians(degrees);
        return new float[] {(float) (r * Math.cos(a)), (float) (r * Math.sin(a)), 0, 0};
    }

    static float norm(float[] x) {
        return MiniCache.norm(x);
    }

    @Test
    void slerpInterpolatesTheAngleAndGivesAUnitVector() {
        float[] a = polar(2, 0), b = polar(5, 40), out = new float[4];
        for (float t : new float[] {0, 0.25f, 0.5f, 0.6f, 1}) {
            MiniCache.slerp(a, 2, b, 5, t, out);
            assertThat(norm(out)).isCloseTo(1f, offset(1e-6f));
            assertThat(Math.toDegrees(Math.atan2(out[1], out[0]))).isCloseTo(40 * t, offset(1e-4));
        }
        // nearly parallel vectors: linear interpolation, normalised
        MiniCache.slerp(polar(1, 0), 1, polar(3, 1e-6), 3, 0.5f, out);
        assertThat(out[0]).isCloseTo(1f, offset(1e-6f));
    }

    @Test
    void pairsWithinTheAngleShareADirectionAndKeepTheirMagnitudes() {
        SharedDirections pool = new SharedDirections(4);
        MiniCacheStore lower = new MiniCacheStore(pool, 0), upper = new MiniCacheStore(pool, 1);
        // token 0: 20° apart (merged); token 1: 40° apart (kept); token 2: a zero vector (kept);
        // token 3: only in the lower layer (position 3), token 4 in both (10°, merged)
        float[][] a = {polar(2, 0), polar(1, 0), new float[4], polar(7, 5), polar(3, 90)};
        float[][] b = {polar(3, 20), polar(1, 40), polar(1, 0), polar(4, 100)};
        int[] posA = {0, 1, 2, 3, 4}, posB = {0, 1, 2, 4};
        for (float[] v : a) lower.append(v, 0);
        for (float[] v : b) upper.append(v, 0);
        MiniCache.mergePending(lower, upper, posA, posB, COS30, 0.5f);
        assertThat(lower.mergedCount()).isEqualTo(2);
        assertThat(upper.mergedCount()).isEqualTo(2);
        assertThat(pool.slots()).isEqualTo(2);
        float[] x = new float[4];
        // token 0: both layers point at 10°, each with its own norm
        lower.get(0, x, 0);
        assertThat(norm(x)).isCloseTo(2f, offset(1e-6f));
        assertThat(Math.toDegrees(Math.atan2(x[1], x[0]))).isCloseTo(10, offset(1e-4));
        upper.get(0, x, 0);
        assertThat(norm(x)).isCloseTo(3f, offset(1e-6f));
        assertThat(Math.toDegrees(Math.atan2(x[1], x[0]))).isCloseTo(10, offset(1e-4));
        // tokens 1, 2 and the lower layer's token 3 are exactly as they were
        for (int i : new int[] {1, 2, 3}) {
            lower.get(i, x, 0);
            assertThat(x).containsExactly(a[i]);
        }
        upper.get(1, x, 0);
        assertThat(x).containsExactly(b[1]);
        // token 4 (lower index 4, upper index 3): 95° with norm 3 and 4
        lower.get(4, x, 0);
        assertThat(norm(x)).isCloseTo(3f, offset(1e-6f));
        assertThat(Math.toDegrees(Math.atan2(x[1], x[0]))).isCloseTo(95, offset(1e-4));
        upper.get(3, x, 0);
        assertThat(norm(x)).isCloseTo(4f, offset(1e-6f));
        // merging again considers only new tokens
        MiniCache.mergePending(lower, upper, posA, posB, COS30, 0.5f);
        assertThat(pool.slots()).isEqualTo(2);
    }

    @Test
    void attentionOnMergedEntriesEqualsAttentionOnTheRestoredVectorsAndEvictionInOneLayerKeepsTheOther() {
        Random r = new Random(3);
        int dim = 8, n = 40;
        SharedDirections pool = new SharedDirections(dim);
        MiniCacheStore lower = new MiniCacheStore(pool, 0), upper = new MiniCacheStore(pool, 1);
        int[] pos = new int[n];
        for (int i = 0; i < n; i++) {
            float[] v = new float[dim], w = new float[dim];
            for (int c = 0; c < dim; c++) {
                v[c] = (float) r.nextGaussian();
                w[c] = v[c] + (float) (r.nextGaussian() * (i % 2 == 0 ? 0.2 : 2)); // even tokens similar
            }
            lower.append(v, 0);
            upper.append(w, 0);
            pos[i] = i;
        }
        MiniCache.mergePending(lower, upper, pos, pos, COS30, 0.5f);
        assertThat(lower.mergedCount()).isBetween(10, 30);
        check(lower, r);
        check(upper, r);
        F32Store upperBefore = decoded(upper);
        // the lower layer evicts half its entries; the upper layer still reads its merged vectors
        int[] keep = new int[n / 2];
        for (int j = 0; j < keep.length; j++) keep[j] = 2 * j + 1;
        F32Store lowerBefore = decoded(lower);
        lower.retain(keep);
        float[] x = new float[dim], y = new float[dim];
        for (int j = 0; j < keep.length; j++) {
            lower.get(j, x, 0);
            lowerBefore.get(keep[j], y, 0);
            assertThat(x).containsExactly(y);
        }
        for (int i = 0; i < n; i++) {
            upper.get(i, x, 0);
            upperBefore.get(i, y, 0);
            assertThat(x).containsExactly(y);
        }
        check(lower, r);
        check(upper, r);
        // a replaced merged vector leaves the shared slot
        int merged = -1;
        for (int i = 0; i < n && merged < 0; i++) if (upper.isMerged(i)) merged = i;
        float[] z = {1, 2, 3, 4, 5, 6, 7, 8};
        int before = upper.mergedCount();
        upper.set(merged, z, 0);
        upper.get(merged, x, 0);
        assertThat(x).containsExactly(z);
        assertThat(upper.mergedCount()).isEqualTo(before - 1);
        check(upper, r);
    }

    static F32Store decoded(MiniCacheStore s) {
        F32Store d = new F32Store(s.dim());
        float[] tmp = new float[s.dim()];
        for (int i = 0; i < s.size(); i++) {
            s.get(i, tmp, 0);
            d.append(tmp, 0);
        }
        return d;
    }

    static void check(MiniCacheStore s, Random r) {
        F32Store d = decoded(s);
        float[] q = new float[s.dim()];
        for (int c = 0; c < q.length; c++) q[c] = (float) r.nextGaussian();
        float[] got = new float[s.size()], want = new float[s.size()];
        s.dots(q, 0, s.size(), 0.5f, got, 0);
        d.dots(q, 0, s.size(), 0.5f, want, 0);
        for (int i = 0; i < got.length; i++) assertThat(got[i]).isCloseTo(want[i], offset(1e-4f * (1 + Math.abs(want[i]))));
        float[] w = new float[s.size()];
        for (int i = 0; i < w.length; i++) w[i] = r.nextFloat();
        float[] a = new float[s.dim()], b = new float[s.dim()];
        s.accumulate(w, 0, s.size(), a, 0);
        d.accumulate(w, 0, s.size(), b, 0);
        for (int c = 0; c < a.length; c++) assertThat(a[c]).isCloseTo(b[c], offset(1e-4f * (1 + Math.abs(b[c]))));
    }
}
