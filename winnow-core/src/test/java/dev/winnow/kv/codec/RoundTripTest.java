package dev.winnow.kv.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Round-trip error bounds of every codec, as property tests over random data (seeded):
 * Gaussian vectors with outliers, constant blocks, zeros, head sizes 8 to 128.
 */
class RoundTripTest {
    static final int[] DIMS = {8, 32, 64, 128};
    static final double SLACK = 1 + 1e-5;

    @Test
    void f16AndBf16AreWithinHalfAnUlpOfTheirFormat() {
        Random r = new Random(1);
        for (int dim : DIMS) {
            float[] v = Stores.vectors(r, 64, dim);
            F16Store h = new F16Store(dim, false), b = new F16Store(dim, true);
            for (int i = 0; i < 64; i++) {
                h.append(v, i * dim);
                b.append(v, i * dim);
            }
            float[] x = new float[dim], y = new float[dim];
            for (int i = 0; i < 64; i++) {
                h.get(i, x, 0);
                b.get(i, y, 0);
                for (int c = 0; c < dim; c++) {
                    float o = v[i * dim + c];
                    assertThat((double) Math.abs(x[c] - o)).isLessThanOrEqualTo(Math.abs(o) * 0x1p-11 + 0x1p-25);
                    assertThat((double) Math.abs(y[c] - o)).isLessThanOrEqualTo(Math.abs(o) * 0x1p-8);
                }
            }
        }
    }

    @Test
    void int8ErrorIsAtMostHalfTheBlockScale() {
        Random r = new Random(2);
        for (int trial = 0; trial < 50; trial++) {
            for (int dim : DIMS) {
                float[] v = data(r, 16, dim, trial);
                Int8Store s = new Int8Store(dim, 32);
                int block = Math.min(32, dim);
                assertThat(s.block()).isEqualTo(block);
                float[] x = new float[dim];
                for (int i = 0; i < 16; i++) {
                    s.append(v, i * dim);
                    s.get(i, x, 0);
                    for (int b = 0; b < dim / block; b++) {
                        float d = s.scale(i, b);
                        float amax = 0;
                        for (int k = 0; k < block; k++) amax = Math.max(amax, Math.abs(v[i * dim + b * block + k]));
                        // the scale is max|x|/127, rounded up to f16
                        assertThat((double) d).isGreaterThanOrEqualTo(amax / 127f).isLessThanOrEqualTo(amax / 127.0 * (1 + 0x1p-10) + 1e-7);
                        for (int k = 0; k < block; k++) {
                            int c = b * block + k;
                            assertThat((double) Math.abs(x[c] - v[i * dim + c])).as("dim %d block %d", dim, b)
                                    .isLessThanOrEqualTo(d / 2 * SLACK + 1e-12);
                        }
                    }
                }
            }
        }
    }

    @Test
    void smoothedInt8FixesChannelScalesFromTheFirstVectorAndBoundsTheError() {
        Random r = new Random(5);
        for (int trial = 0; trial < 50; trial++) {
            for (int dim : DIMS) {
                float[] v = data(r, 16, dim, trial);
                Int8Store s = new Int8Store(dim, 32, true);
                assertThat(s.channelScales()).isNull();
                assertThat(s.bytesUsed()).isZero();
                int block = Math.min(32, dim);
                float[] x = new float[dim];
                float first = 0;
                for (int c = 0; c < dim; c++) first = Math.max(first, Math.abs(v[c]));
                for (int i = 0; i < 16; i++) {
                    s.append(v, i * dim);
                    float[] ch = s.channelScales();
                    for (int c = 0; c < dim; c++) {
                        // s_c = √(|x_c| / max|x|) of the first vector, clamped to [1/2, 1]
                        double expected = first == 0 ? 1 : Math.max(0.5, Math.min(1, Math.sqrt(Math.abs(v[c]) / first)));
                        assertThat((double) ch[c]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
                    }
                    s.get(i, x, 0);
                    for (int b = 0; b < dim / block; b++) {
                        float d = s.scale(i, b);
                        float amax = 0;
                        for (int k = 0; k < block; k++) amax = Math.max(amax, Math.abs(v[i * dim + b * block + k]));
                        for (int k = 0; k < block; k++) {
                            int c = b * block + k;
                            double err = Math.abs(x[c] - v[i * dim + c]);
                            // half a step of the smoothed block, scaled back: at most twice plain Q8_0's bound
                            assertThat(err).isLessThanOrEqualTo(ch[c] * d / 2 * SLACK + 1e-12);
                            assertThat(err).isLessThanOrEqualTo(2 * amax / 127.0 / 2 * (1 + 0x1p-10) * SLACK + 1e-7);
                        }
                    }
                }
                assertThat(s.bytesUsed()).isEqualTo(16L * (dim + 2 * (dim / block)) + 4L * dim);
                s.clear();
                assertThat(s.channelScales()).isNull();
            }
        }
    }

    @Test
    void int4AndInt2ErrorIsAtMostHalfTheBlockScale() {
        Random r = new Random(3);
        for (int bits : new int[] {4, 2}) {
            for (int trial = 0; trial < 50; trial++) {
                for (int dim : DIMS) {
                    float[] v = data(r, 16, dim, trial);
                    AsymStore s = new AsymStore(dim, bits, 32);
                    int block = Math.min(32, dim);
                    float[] x = new float[dim];
                    for (int i = 0; i < 16; i++) {
                        s.append(v, i * dim);
                        s.get(i, x, 0);
                        for (int b = 0; b < dim / block; b++) {
                            float d = s.scale(i, b);
                            float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
                            for (int k = 0; k < block; k++) {
                                lo = Math.min(lo, v[i * dim + b * block + k]);
                                hi = Math.max(hi, v[i * dim + b * block + k]);
                            }
                            // the scale is (max − min) / (2^bits − 1), rounded up (min rounded down)
                            assertThat((double) d).isLessThanOrEqualTo((hi - lo) / ((1 << bits) - 1.0) * (1 + 0x1p-9) + 1e-6);
                            for (int k = 0; k < block; k++) {
                                int c = b * block + k;
                                assertThat((double) Math.abs(x[c] - v[i * dim + c])).as("int%d dim %d", bits, dim)
                                        .isLessThanOrEqualTo(d / 2 * SLACK + 1e-12);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void kiviKeysAreWithinHalfTheChannelScaleAndTheResidualIsExact() {
        Random r = new Random(4);
        for (int bits : new int[] {2, 4}) {
            for (int dim : DIMS) {
                int group = 8, residual = 16, n = 61;
                float[] v = Stores.vectors(r, n, dim);
                ResidualStore s = (ResidualStore) KvCodec.kiviKeys(bits, group, residual).newStore(dim);
                for (int i = 0; i < n; i++) {
                    s.append(v, i * dim);
                    // KIVI's reference: 0 … residual − 1 keys in f32, flushed whole at residual
                    assertThat(s.residualSize()).isEqualTo((i + 1) % residual);
                }
                ChannelGroupStore q = (ChannelGroupStore) s.quantized();
                assertThat(q.size()).isEqualTo(48); // 16 × floor(61 / 16)
                assertThat(q.groups()).isEqualTo(6);
                float[] x = new float[dim];
                for (int i = 0; i < n; i++) {
                    s.get(i, x, 0);
                    for (int c = 0; c < dim; c++) {
                        float err = Math.abs(x[c] - v[i * dim + c]);
                        if (i >= q.size()) assertThat(err).isZero();
                        else assertThat((double) err).isLessThanOrEqualTo(q.scale(i / group, c) / 2 * SLACK + 1e-12);
                    }
                }
                // per channel: the scale is the channel's range over the group / (2^bits − 1)
                for (int c = 0; c < dim; c++) {
                    float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
                    for (int t = 0; t < group; t++) {
                        lo = Math.min(lo, v[t * dim + c]);
                        hi = Math.max(hi, v[t * dim + c]);
                    }
                    assertThat((double) q.scale(0, c)).isLessThanOrEqualTo((hi - lo) / ((1 << bits) - 1.0) * (1 + 0x1p-9) + 1e-6);
                }
            }
        }
    }

    @Test
    void gearCorrectsKiviAndTheCorrectionGrowsWithTheRank() {
        Random r = new Random(6);
        int dim = 32, n = 256;
        float[] v = Stores.vectors(r, n, dim);
        double[] err = new double[4];
        VectorStore[] stores = {KvCodec.kiviKeys(2, 32, 0).newStore(dim), KvCodec.gearKeys(2, 32, 0, 0, 0.02).newStore(dim),
                KvCodec.gearKeys(2, 32, 0, 2, 0.02).newStore(dim), KvCodec.gearKeys(2, 32, 0, 8, 0.02).newStore(dim)};
        float[] x = new float[dim];
        for (int k = 0; k < stores.length; k++) {
            for (int i = 0; i < n; i++) stores[k].append(v, i * dim);
            for (int i = 0; i < n; i++) {
                stores[k].get(i, x, 0);
                for (int c = 0; c < dim; c++) err[k] += (x[c] - v[i * dim + c]) * (x[c] - v[i * dim + c]);
            }
        }
        // outliers alone help (they no longer stretch the channel ranges); each rank step helps more
        assertThat(err[1]).isLessThan(err[0]);
        assertThat(err[2]).isLessThan(err[1]);
        assertThat(err[3]).isLessThan(err[2]);
        GearStore g = (GearStore) stores[2];
        assertThat(g.outlierCount()).isEqualTo(8 * Math.round(0.02 * 32 * dim));
        // the rank-r factors are the best rank-r approximation's: orthonormal columns
        float[] b = GearStore.topRightSingularVectors(v, 32, dim, 3);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double dot = 0;
                for (int c = 0; c < dim; c++) dot += b[c * 3 + i] * b[c * 3 + j];
                assertThat(dot).isCloseTo(i == j ? 1 : 0, org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    @Test
    void constantAndZeroBlocksAreExactOrNearlySo() {
        for (Stores.Kind kind : Stores.all()) {
            int dim = 32;
            float[] v = new float[3 * dim];
            java.util.Arrays.fill(v, dim, 2 * dim, 0.75f);
            for (int c = 0; c < dim; c++) v[2 * dim + c] = -3.5f;
            VectorStore s = Stores.filled(kind, dim, v, 3);
            float[] x = new float[dim];
            for (int i = 0; i < 3; i++) {
                s.get(i, x, 0);
                for (int c = 0; c < dim; c++) {
                    assertThat((double) x[c]).as("%s vector %d", kind, i).isCloseTo(v[i * dim + c], org.assertj.core.data.Offset.offset(2e-3));
                }
            }
        }
    }

    @Test
    void retainKeepsTheListedVectorsAndSetReplacesOne() {
        Random r = new Random(5);
        for (Stores.Kind kind : Stores.all()) {
            int dim = 32, n = 40;
            float[] v = Stores.vectors(r, n, dim);
            VectorStore s = Stores.filled(kind, dim, v, n);
            F32Store before = Stores.decoded(s);
            int[] keep = {0, 3, 4, 9, 17, 18, 30, 37, 38, 39};
            s.retain(keep);
            assertThat(s.size()).isEqualTo(keep.length);
            float[] x = new float[dim], y = new float[dim];
            for (int j = 0; j < keep.length; j++) {
                s.get(j, x, 0);
                before.get(keep[j], y, 0);
                assertThat(x).as("%s kept %d", kind, keep[j]).containsExactly(y);
            }
            s.set(2, v, 5 * dim);
            s.get(2, x, 0);
            for (int c = 0; c < dim; c++) assertThat(x[c]).as("%s set", kind).isCloseTo(v[5 * dim + c], org.assertj.core.data.Offset.offset(10f));
            s.clear();
            assertThat(s.size()).isZero();
            assertThat(s.bytesUsed()).isZero();
        }
    }

    /** Random vectors; every fifth trial a vector with one constant block, every seventh a zero one. */
    static float[] data(Random r, int count, int dim, int trial) {
        float[] v = Stores.vectors(r, count, dim);
        if (trial % 5 == 0) java.util.Arrays.fill(v, 0, Math.min(dim, 32), 1.25f);
        if (trial % 7 == 0) java.util.Arrays.fill(v, dim, 2 * dim, 0f);
        return v;
    }
}
