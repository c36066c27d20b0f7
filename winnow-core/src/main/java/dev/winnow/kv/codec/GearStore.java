package dev.winnow.kv.codec;

import java.util.Arrays;

/**
 * GEAR-style error correction (Kang et al. 2024) around a block quantizer (KIVI's here): the
 * newest tokens stay f32 as in {@link ResidualStore}; when a block of {@code group} tokens leaves
 * the window, (1) its largest-magnitude values — a fraction {@code outliers} of the block — are
 * taken out and kept exactly (sparse), (2) the rest is quantized by the inner store, (3) the
 * quantization residual R (tokens × channels) is approximated with rank {@code rank}: R ≈ A·Bᵀ
 * (orthogonal iteration on RᵀR), A one row of {@code rank} f16 per token, B one f32
 * channels × rank matrix per block. x̂ = quantized + A_t·Bᵀ + sparse (f16 values, a channel
 * byte and the token's index).
 *
 * <p>Attention stays on the encoded form: q·x̂_t = q·quantized_t + A_t·(Bᵀq) + Σ sparse q_c·s,
 * with Bᵀq computed once per block and query; Σ w_t·x̂_t = Σ w_t·quantized_t + B·(Σ w_t A_t) + sparse.
 */
public final class GearStore implements VectorStore {
    private final VectorStore quantized;
    private final F32Store recent;
    private final int residual;
    private final int group;
    private final int rank;
    private final double outliers;
    private final String name;
    private final int dim;
    // low-rank factors: A rows per quantized token (entry order), B per block
    private short[] a = new short[0];
    private float[] b = new float[0];
    private int[] counts = new int[0];
    private int blocks;
    // sparse outliers, ordered by token: token (entry index in the quantized part), channel, value
    private int[] outTok = new int[0];
    private byte[] outCh = new byte[0];
    private short[] outVal = new short[0];
    private int outCount;

    /**
     * @param quantized the inner block quantizer (empty), fed {@code group} vectors at a time
     * @param outliers fraction of each block's values kept exactly
     */
    public GearStore(VectorStore quantized, int residual, int group, int rank, double outliers, String name) {
        if (quantized.size() != 0) throw new IllegalArgumentException("the quantized store must start empty");
        if (quantized.dim() > 256) throw new IllegalArgumentException("GEAR's sparse channel index holds head sizes up to 256");
        this.quantized = quantized;
        this.dim = quantized.dim();
        this.recent = new F32Store(dim);
        this.residual = residual;
        this.group = group;
        this.rank = Math.min(rank, Math.min(group, dim));
        this.outliers = outliers;
        this.name = name;
    }

    public VectorStore quantized() {
        return quantized;
    }

    public int residualSize() {
        return recent.size();
    }

    public int outlierCount() {
        return outCount;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public int size() {
        return quantized.size() + recent.size();
    }

    @Override
    public void append(float[] v, int off) {
        recent.append(v, off);
        if (recent.size() >= residual + group) {
            float[] block = new float[group * dim];
            for (int j = 0; j < group; j++) recent.get(j, block, j * dim);
            compressBlock(block, group);
            int[] keep = new int[recent.size() - group];
            for (int j = 0; j < keep.length; j++) keep[j] = group + j;
            recent.retain(keep);
        }
    }

    /**
     * Outliers out, quantize, low-rank residual: one new block of {@code count} tokens. An outlier
     * is replaced, for the quantizer, by the mean of the other values of its channel in the block
     * (so it no longer stretches the ranges), and its exact correction x − decoded is kept sparse.
     */
    private void compressBlock(float[] x, int count) {
        int first = quantized.size();
        int k = (int) Math.round(outliers * count * dim);
        boolean[] outlier = new boolean[count * dim];
        float[] rest = x.clone();
        if (k > 0) {
            Integer[] idx = new Integer[count * dim];
            for (int i = 0; i < idx.length; i++) idx[i] = i;
            Arrays.sort(idx, (p, q) -> Float.compare(Math.abs(x[q]), Math.abs(x[p])));
            for (int i = 0; i < k; i++) outlier[idx[i]] = true;
            for (int c = 0; c < dim; c++) {
                double sum = 0;
                int n = 0;
                for (int t = 0; t < count; t++) {
                    if (!outlier[t * dim + c]) {
                        sum += x[t * dim + c];
                        n++;
                    }
                }
                float mean = n == 0 ? 0 : (float) (sum / n);
                for (int t = 0; t < count; t++) if (outlier[t * dim + c]) rest[t * dim + c] = mean;
            }
        }
        quantized.appendAll(rest, 0, count);
        // residual R = x − decoded off the outliers; the outliers' corrections go sparse
        float[] r = new float[count * dim], tmp = new float[dim];
        ensureOutliers(outCount + k);
        for (int t = 0; t < count; t++) {
            quantized.get(first + t, tmp, 0);
            for (int c = 0; c < dim; c++) {
                int i = t * dim + c;
                if (outlier[i]) {
                    float corr = x[i] - tmp[c];
                    Half.checkRange(corr, name);
                    outTok[outCount] = first + t;
                    outCh[outCount] = (byte) c;
                    outVal[outCount] = Half.toF16(corr);
                    outCount++;
                } else {
                    r[i] = x[i] - tmp[c];
                }
            }
        }
        float[] bm = topRightSingularVectors(r, count, dim, rank);
        ensureBlocks(blocks + 1);
        System.arraycopy(bm, 0, b, blocks * dim * rank, dim * rank);
        counts[blocks++] = count;
        ensureRows(first + count);
        for (int t = 0; t < count; t++) {
            for (int j = 0; j < rank; j++) {
                float s = 0;
                for (int c = 0; c < dim; c++) s += r[t * dim + c] * bm[c * rank + j];
                a[(first + t) * rank + j] = Half.toF16(s);
            }
        }
    }

    /**
     * The top {@code rank} right singular vectors of R ({@code rows × cols}), as a cols × rank
     * matrix (row-major) with orthonormal columns: orthogonal iteration on RᵀR from a fixed start.
     */
    static float[] topRightSingularVectors(float[] r, int rows, int cols, int rank) {
        double[] c = new double[cols * cols];
        for (int t = 0; t < rows; t++) {
            for (int i = 0; i < cols; i++) {
                double ri = r[t * cols + i];
                if (ri == 0) continue;
                for (int j = 0; j < cols; j++) c[i * cols + j] += ri * r[t * cols + j];
            }
        }
        double[] v = new double[cols * rank];
        java.util.Random rnd = new java.util.Random(17);
        for (int i = 0; i < v.length; i++) v[i] = rnd.nextGaussian();
        orthonormalize(v, cols, rank);
        double[] w = new double[cols * rank];
        for (int it = 0; it < 12; it++) {
            Arrays.fill(w, 0);
            for (int i = 0; i < cols; i++) {
                for (int k = 0; k < cols; k++) {
                    double cik = c[i * cols + k];
                    if (cik == 0) continue;
                    for (int j = 0; j < rank; j++) w[i * rank + j] += cik * v[k * rank + j];
                }
            }
            System.arraycopy(w, 0, v, 0, v.length);
            orthonormalize(v, cols, rank);
        }
        float[] out = new float[cols * rank];
        for (int i = 0; i < out.length; i++) out[i] = (float) v[i];
        return out;
    }

    /** Gram–Schmidt on the columns of a rows × cols row-major matrix (a zero column stays zero). */
    private static void orthonormalize(double[] m, int rows, int cols) {
        for (int j = 0; j < cols; j++) {
            for (int p = 0; p < j; p++) {
                double dot = 0;
                for (int i = 0; i < rows; i++) dot += m[i * cols + j] * m[i * cols + p];
                for (int i = 0; i < rows; i++) m[i * cols + j] -= dot * m[i * cols + p];
            }
            double norm = 0;
            for (int i = 0; i < rows; i++) norm += m[i * cols + j] * m[i * cols + j];
            norm = Math.sqrt(norm);
            for (int i = 0; i < rows; i++) m[i * cols + j] = norm > 1e-30 ? m[i * cols + j] / norm : 0;
        }
    }

    private void ensureBlocks(int n) {
        if (n > counts.length) {
            int cap = Math.max(n, counts.length * 2 + 4);
            counts = Arrays.copyOf(counts, cap);
            b = Arrays.copyOf(b, cap * dim * rank);
        }
    }

    private void ensureRows(int n) {
        if (n * rank > a.length) a = Arrays.copyOf(a, Math.max(n, 2 * a.length / Math.max(1, rank) + 16) * rank);
    }

    private void ensureOutliers(int n) {
        if (n > outTok.length) {
            int cap = Math.max(n, outTok.length * 2 + 16);
            outTok = Arrays.copyOf(outTok, cap);
            outCh = Arrays.copyOf(outCh, cap);
            outVal = Arrays.copyOf(outVal, cap);
        }
    }

    @Override
    public void reserve(int additional) {
        recent.reserve(Math.min(additional, residual + group));
    }

    @Override
    public void dots(float[] q, int qOff, int n, float scale, float[] out, int outOff) {
        int nq = quantized.size(), m = Math.min(n, nq);
        quantized.dots(q, qOff, m, scale, out, outOff);
        float[] qb = new float[rank];
        int t = 0;
        for (int g = 0; g < blocks && t < m; g++) {
            for (int j = 0; j < rank; j++) {
                float s = 0;
                for (int c = 0; c < dim; c++) s += q[qOff + c] * b[(g * dim + c) * rank + j];
                qb[j] = s;
            }
            int end = Math.min(m, t + counts[g]);
            for (; t < end; t++) {
                float s = 0;
                for (int j = 0; j < rank; j++) s += Half.f16(a[t * rank + j]) * qb[j];
                out[outOff + t] += scale * s;
            }
        }
        for (int o = 0; o < outCount && outTok[o] < m; o++) {
            out[outOff + outTok[o]] += scale * q[qOff + (outCh[o] & 0xFF)] * Half.f16(outVal[o]);
        }
        if (n > nq) recent.dots(q, qOff, n - nq, scale, out, outOff + nq);
    }

    @Override
    public void accumulate(float[] w, int wOff, int n, float[] out, int off) {
        int nq = quantized.size(), m = Math.min(n, nq);
        quantized.accumulate(w, wOff, m, out, off);
        float[] aw = new float[rank];
        int t = 0;
        for (int g = 0; g < blocks && t < m; g++) {
            Arrays.fill(aw, 0);
            int end = Math.min(m, t + counts[g]);
            for (; t < end; t++) {
                float wt = w[wOff + t];
                for (int j = 0; j < rank; j++) aw[j] += wt * Half.f16(a[t * rank + j]);
            }
            for (int c = 0; c < dim; c++) {
                float s = 0;
                for (int j = 0; j < rank; j++) s += b[(g * dim + c) * rank + j] * aw[j];
                out[off + c] += s;
            }
        }
        for (int o = 0; o < outCount && outTok[o] < m; o++) {
            out[off + (outCh[o] & 0xFF)] += w[wOff + outTok[o]] * Half.f16(outVal[o]);
        }
        if (n > nq) recent.accumulate(w, wOff + nq, n - nq, out, off);
    }

    private int blockOf(int i) {
        int first = 0;
        for (int g = 0; g < blocks; g++) {
            if (i < first + counts[g]) return g;
            first += counts[g];
        }
        throw new IllegalStateException("block counts do not add up");
    }

    @Override
    public void get(int i, float[] out, int off) {
        int nq = quantized.size();
        if (i >= nq) {
            recent.get(i - nq, out, off);
            return;
        }
        quantized.get(i, out, off);
        int g = blockOf(i);
        for (int c = 0; c < dim; c++) {
            float s = 0;
            for (int j = 0; j < rank; j++) s += Half.f16(a[i * rank + j]) * b[(g * dim + c) * rank + j];
            out[off + c] += s;
        }
        for (int o = 0; o < outCount; o++) if (outTok[o] == i) out[off + (outCh[o] & 0xFF)] += Half.f16(outVal[o]);
    }

    /** Replaces a vector: a quantized one is re-quantized alone (its low-rank and sparse corrections are dropped). */
    @Override
    public void set(int i, float[] v, int off) {
        int nq = quantized.size();
        if (i >= nq) {
            recent.set(i - nq, v, off);
            return;
        }
        quantized.set(i, v, off);
        Arrays.fill(a, i * rank, (i + 1) * rank, (short) 0);
        int k = 0;
        for (int o = 0; o < outCount; o++) {
            if (outTok[o] == i) continue;
            outTok[k] = outTok[o];
            outCh[k] = outCh[o];
            outVal[k] = outVal[o];
            k++;
        }
        outCount = k;
    }

    @Override
    public void retain(int[] keep) {
        int nq = quantized.size();
        int split = 0;
        while (split < keep.length && keep[split] < nq) split++;
        int[] kq = Arrays.copyOf(keep, split);
        int[] kr = new int[keep.length - split];
        for (int j = 0; j < kr.length; j++) kr[j] = keep[split + j] - nq;
        // new index of each kept quantized token, −1 for dropped
        int[] map = new int[nq];
        Arrays.fill(map, -1);
        for (int j = 0; j < kq.length; j++) map[kq[j]] = j;
        int[] newCounts = new int[blocks];
        int g = 0, first = 0;
        for (int j = 0; j < kq.length; j++) {
            int i = kq[j];
            while (i >= first + counts[g]) first += counts[g++];
            newCounts[g]++;
            if (i != j) System.arraycopy(a, i * rank, a, j * rank, rank);
        }
        int kept = 0;
        for (int k = 0; k < blocks; k++) {
            if (newCounts[k] == 0) continue;
            if (k != kept) System.arraycopy(b, k * dim * rank, b, kept * dim * rank, dim * rank);
            counts[kept++] = newCounts[k];
        }
        blocks = kept;
        int o2 = 0;
        for (int o = 0; o < outCount; o++) {
            int t = map[outTok[o]];
            if (t < 0) continue;
            outTok[o2] = t;
            outCh[o2] = outCh[o];
            outVal[o2] = outVal[o];
            o2++;
        }
        outCount = o2;
        quantized.retain(kq);
        recent.retain(kr);
    }

    @Override
    public void clear() {
        quantized.clear();
        recent.clear();
        a = new short[0];
        b = new float[0];
        counts = new int[0];
        blocks = 0;
        outTok = new int[0];
        outCh = new byte[0];
        outVal = new short[0];
        outCount = 0;
    }

    /** Bytes of the corrections: A rows (f16), B per block (f32) and its count, sparse outliers (token int, channel byte, f16 value). */
    private long correctionBytes() {
        return (long) quantized.size() * rank * 2 + (long) blocks * (dim * rank * 4L + 4) + outCount * 7L;
    }

    @Override
    public long bytesUsed() {
        return quantized.bytesUsed() + recent.bytesUsed() + correctionBytes();
    }

    @Override
    public long bytesAllocated() {
        return quantized.bytesAllocated() + recent.bytesAllocated() + a.length * 2L + b.length * 4L + counts.length * 4L
                + outTok.length * 7L;
    }

    @Override
    public int bytesPerVector() {
        return quantized.bytesPerVector() + rank * 2 + (dim * rank * 4 + 4 + group - 1) / group + (int) Math.ceil(outliers * dim * 7);
    }

    @Override
    public String codec() {
        return name;
    }

    @Override
    public void usage(UsageSink sink) {
        sink.add(name, quantized.size(), quantized.bytesUsed() + correctionBytes());
        recent.usage(sink);
    }
}
