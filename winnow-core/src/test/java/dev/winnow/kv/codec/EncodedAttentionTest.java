package dev.winnow.kv.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Attention on the encoded blocks equals attention on the dequantized copy: scores q·k on
 * encoded keys and Σ p·v on encoded values, for every codec, over prefixes of the store (as a
 * prefill batch sees), after eviction and after a replaced vector.
 */
class EncodedAttentionTest {
    @Test
    void scoresAndWeightedSumsMatchTheDecodedCopy() {
        Random r = new Random(11);
        for (Stores.Kind kind : Stores.all()) {
            for (int dim : new int[] {8, 32, 64}) {
                int n = 77;
                float[] v = Stores.vectors(r, n, dim);
                VectorStore s = Stores.filled(kind, dim, v, n);
                check(kind + " dim " + dim, s, r);
                s.retain(new int[] {1, 2, 5, 8, 13, 21, 34, 55, 70, 71, 72, 73, 74, 75, 76});
                check(kind + " dim " + dim + " after retain", s, r);
                s.set(3, v, 0);
                check(kind + " dim " + dim + " after set", s, r);
            }
        }
    }

    @Test
    void mixedPrecisionAfterDemotionMatchesTheDecodedCopy() {
        mixed(false);
        mixed(true);
    }

    @Test
    void theChannelBalanceShrinksTheErrorOfAnOutlierChannel() {
        Random r = new Random(13);
        int dim = 8, n = 200;
        float[] v = new float[n * dim];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        for (int i = 0; i < n; i++) v[i * dim + 7] = 15 + (float) r.nextGaussian(); // one large channel, as stories260K's keys
        double[] err = new double[2];
        for (int b = 0; b < 2; b++) {
            MixedStore s = (MixedStore) KvCodec.mixed(KvCodec.int8(32), KvCodec.asym(2, 32), b == 1).newStore(dim);
            for (int i = 0; i < n; i++) s.append(v, i * dim);
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            s.demote(all);
            float[] x = new float[dim];
            for (int i = 0; i < n; i++) {
                s.get(i, x, 0);
                for (int c = 0; c < 7; c++) err[b] += Math.abs(x[c] - v[i * dim + c]);
            }
        }
        assertThat(err[1]).isLessThan(err[0] / 2);
    }

    static void mixed(boolean balanced) {
        Random r = new Random(12);
        int dim = 32, n = 50;
        float[] v = Stores.vectors(r, n, dim);
        MixedStore s = (MixedStore) KvCodec.mixed(KvCodec.int8(32), KvCodec.asym(2, 32), balanced).newStore(dim);
        for (int i = 0; i < n; i++) s.append(v, i * dim);
        s.demote(new int[] {0, 4, 5, 6, 20, 49});
        s.demote(new int[] {1, 5, 30});
        assertThat(s.lowCount()).isEqualTo(8);
        assertThat(s.highCount()).isEqualTo(42);
        for (int i : new int[] {0, 1, 4, 5, 6, 20, 30, 49}) assertThat(s.isLow(i)).isTrue();
        assertThat(s.isLow(2)).isFalse();
        assertThat(s.balance() != null).isEqualTo(balanced);
        check("mixed", s, r);
        s.retain(new int[] {0, 2, 5, 7, 30, 31, 49});
        assertThat(s.lowCount()).isEqualTo(4);
        check("mixed after retain", s, r);
        // a demoted vector holds what low precision keeps of the high-precision one
        float[] x = new float[dim];
        s.get(6, x, 0);
        for (int c = 0; c < dim; c++) assertThat(Math.abs(x[c] - v[49 * dim + c])).isLessThan(12f);
    }

    static void check(String what, VectorStore s, Random r) {
        int dim = s.dim();
        F32Store d = Stores.decoded(s);
        float[] q = new float[3 + dim];
        for (int c = 0; c < q.length; c++) q[c] = (float) r.nextGaussian();
        for (int n : new int[] {s.size(), s.size() - 1, Math.max(1, s.size() / 2), 1}) {
            float[] got = new float[n + 2], want = new float[n + 2];
            s.dots(q, 3, n, 0.125f, got, 2);
            d.dots(q, 3, n, 0.125f, want, 2);
            for (int i = 2; i < n + 2; i++) {
                assertThat((double) got[i]).as("%s score %d of %d", what, i - 2, n)
                        .isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(want[i]))));
            }
            float[] w = new float[n + 1];
            for (int i = 0; i < w.length; i++) w[i] = r.nextFloat();
            float[] a = new float[dim + 4], b = new float[dim + 4];
            for (int c = 0; c < a.length; c++) a[c] = b[c] = c;
            s.accumulate(w, 1, n, a, 4);
            d.accumulate(w, 1, n, b, 4);
            for (int c = 0; c < a.length; c++) {
                assertThat((double) a[c]).as("%s value sum %d of %d", what, c, n)
                        .isCloseTo(b[c], org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(b[c]))));
            }
        }
    }
}
