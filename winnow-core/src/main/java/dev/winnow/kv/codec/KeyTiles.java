package dev.winnow.kv.codec;

import dev.winnow.tensor.FloatTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The score kernel of the channel-major key stores ({@link F16KeyStore}, {@link F32KeyStore}):
 * keys in tiles of {@link #TILE} entries, channel {@code c} of a tile's entries side by side, so a
 * query's scores for a tile are one vector, one fused multiply-add per channel and no sum across
 * lanes. Every store and path computes an entry's score as {@code acc = fma(k_c, q_c, acc)} for
 * {@code c = 0 … dim−1} from zero, then {@code scale × acc}; lanes never mix, so the scalar
 * fallback and every vector width give the same bits.
 */
final class KeyTiles {
    /** Entries per tile. */
    static final int TILE = 16;
    /** List positions scored per pass: four tiles (16 KiB of floats at head size 64). */
    static final int GROUP = 4 * TILE;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final boolean VECTOR = FloatTensor.vectorized() && S.length() <= TILE && TILE % S.length() == 0;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[GROUP]});

    private KeyTiles() {
    }

    /** This thread's tile buffer of at least {@code floats} floats, reused. */
    static float[] tiles(int floats) {
        float[][] s = SCRATCH.get();
        if (s[0].length < floats) s[0] = new float[floats];
        return s[0];
    }

    /** This thread's buffer of {@link #GROUP} scores, reused. */
    static float[] results() {
        return SCRATCH.get()[1];
    }

    /** Floats from entry {@code i}'s channel 0 in a tiled array; channel {@code c} is {@code TILE·c} further. */
    static int base(int i, int dim) {
        return (i / TILE) * TILE * dim + i % TILE;
    }

    /** Whether list positions {@code j … j+15} name entries {@code first … first+15} (always, for a range). */
    static boolean run(int[] idx, int j, int first) {
        if (idx == null) return true;
        for (int p = 1; p < TILE; p++) if (idx[j + p] != first + p) return false;
        return true;
    }

    /**
     * {@code res[t·16 + lane] = scale × Σ_c q[qOff + c] × k[kOff + t·16·dim + c·16 + lane]} for
     * {@code t < tiles}, each lane one chain of fused multiply-adds in channel order; four tiles at a
     * time give four independent chains.
     */
    static void score(float[] k, int kOff, int tiles, int dim, float[] q, int qOff, float scale, float[] res) {
        int tileFloats = TILE * dim;
        if (!VECTOR) {
            scoreScalar(k, kOff, tiles, dim, q, qOff, scale, res);
            return;
        }
        int lanes = S.length();
        for (int v = 0; v < TILE; v += lanes) {
            int t = 0;
            for (; t + 4 <= tiles; t += 4) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                int o = kOff + t * tileFloats + v;
                for (int c = 0; c < dim; c++, o += TILE) {
                    FloatVector qc = FloatVector.broadcast(S, q[qOff + c]);
                    a0 = FloatVector.fromArray(S, k, o).fma(qc, a0);
                    a1 = FloatVector.fromArray(S, k, o + tileFloats).fma(qc, a1);
                    a2 = FloatVector.fromArray(S, k, o + 2 * tileFloats).fma(qc, a2);
                    a3 = FloatVector.fromArray(S, k, o + 3 * tileFloats).fma(qc, a3);
                }
                a0.mul(scale).intoArray(res, t * TILE + v);
                a1.mul(scale).intoArray(res, (t + 1) * TILE + v);
                a2.mul(scale).intoArray(res, (t + 2) * TILE + v);
                a3.mul(scale).intoArray(res, (t + 3) * TILE + v);
            }
            for (; t < tiles; t++) {
                FloatVector a = FloatVector.zero(S);
                int o = kOff + t * tileFloats + v;
                for (int c = 0; c < dim; c++, o += TILE) {
                    a = FloatVector.fromArray(S, k, o).fma(FloatVector.broadcast(S, q[qOff + c]), a);
                }
                a.mul(scale).intoArray(res, t * TILE + v);
            }
        }
    }


    /** {@link #score} without vectors (-Dwinnow.vector=false, or no vector width dividing 16): the same bits. */
    static void scoreScalar(float[] k, int kOff, int tiles, int dim, float[] q, int qOff, float scale, float[] res) {
        int tileFloats = TILE * dim;
        for (int t = 0; t < tiles; t++) {
            for (int l = 0; l < TILE; l++) {
                float acc = 0f;
                for (int c = 0; c < dim; c++) acc = Math.fma(k[kOff + t * tileFloats + c * TILE + l], q[qOff + c], acc);
                res[t * TILE + l] = scale * acc;
            }
        }
    }
}
