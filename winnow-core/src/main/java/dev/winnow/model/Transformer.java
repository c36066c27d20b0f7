package dev.winnow.model;

import dev.winnow.kv.AttentionRecorder;
import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.sparse.EntrySelector;
import dev.winnow.kv.sparse.Selection;
import dev.winnow.kv.QueryWindow;
import dev.winnow.tensor.FloatTensor;
import dev.winnow.tensor.MatMul;
import dev.winnow.tensor.Parallel;
import dev.winnow.tensor.Softmax;

/**
 * The decoder-only transformer forward pass (llama family): embedding, per block RMSNorm →
 * attention with GQA and RoPE over the {@link KvCache} → residual → RMSNorm → SwiGLU FFN →
 * residual, then the final norm and the output projection.
 *
 * <p>{@link #forward} takes a batch of tokens at given positions: their keys and values are
 * appended to the cache, and token {@code b} of the batch attends to every entry the cache held
 * before the batch plus the batch's tokens {@code 0…b} (causal by insertion order, so it stays
 * correct when policies have removed entries).
 */
public final class Transformer {
    private final ModelConfig c;
    private final Weights w;
    private final Rope rope;
    private final Parallel par;
    private final GroupedAttention grouped;

    public Transformer(ModelConfig config, Weights weights, Parallel parallel) {
        this.c = config;
        this.w = weights;
        this.par = parallel;
        this.rope = new Rope(config.architecture().ropeType(), config.headSize(), config.ropeDimensions(),
                config.ropeTheta(), config.ropeScaling(), weights.ropeFreqFactors());
        this.grouped = new GroupedAttention(config.groupSize(), config.headSize(), (float) (1.0 / Math.sqrt(config.headSize())));
    }

    public ModelConfig config() {
        return c;
    }

    public Weights weights() {
        return w;
    }

    public Rope rope() {
        return rope;
    }

    public Parallel parallel() {
        return par;
    }

    /**
     * Runs tokens {@code [0, n)} of {@code tokens} at {@code positions}, appending to {@code cache}.
     *
     * @param allLogits true: return logits for every token ({@code n × vocab}); false: only for the last
     * @return the logits buffer (owned by {@code state}; copy what you keep)
     */
    public float[] forward(int[] tokens, int[] positions, int n, KvCache cache, ForwardState state, boolean allLogits) {
        if (n < 1 || n > state.capacity) {
            throw new IllegalArgumentException("batch of " + n + " tokens, buffers hold " + state.capacity);
        }
        int dim = c.dim();
        int vocab = c.vocabSize();
        float[] x = state.x;
        for (int b = 0; b < n; b++) {
            int t = tokens[b];
            if (t < 0 || t >= vocab) {
                throw new IllegalArgumentException("token id " + t + " out of range [0, " + vocab + ")");
            }
            w.tokenEmbedding().tensor().dequantize((long) t * dim, x, b * dim, dim);
        }
        SequenceBatch one = SequenceBatch.single(cache, n);
        for (int l = 0; l < c.layers(); l++) {
            layer(l, positions, n, one, state);
        }
        cache.advance(n);
        int first = allLogits ? 0 : n - 1;
        int rows = n - first;
        float[] xb = state.xb;
        for (int b = first; b < n; b++) {
            rmsnorm(xb, (b - first) * dim, x, b * dim, w.outputNorm(), dim, c.rmsEps());
        }
        float[] logits = state.logits(rows * vocab);
        Matrix out = w.output();
        MatMul.matmul(par, out.tensor(), vocab, dim, xb, rows, logits);
        return logits;
    }

    /**
     * One forward pass over rows of several sequences, each with its own position and
     * {@link KvCache} (continuous batching): the weights are read once for all rows, attention
     * runs per sequence over its own cache (with its policy's recorder, query window and sparse
     * selector). Every row's result is bit for bit what the single-cache {@link #forward} gives
     * that sequence's rows alone (a decoding row as a batch of one, a prompt chunk as that chunk).
     *
     * @return the logits after the last row of each sequence added with {@code wantLogits}, one
     *         row of {@code vocab} values each, in order (owned by {@code state}; copy what you keep)
     */
    public float[] forward(SequenceBatch batch, ForwardState state) {
        int n = batch.rows;
        if (n < 1 || n > state.capacity) {
            throw new IllegalArgumentException("batch of " + n + " tokens, buffers hold " + state.capacity);
        }
        int dim = c.dim();
        int vocab = c.vocabSize();
        float[] x = state.x;
        for (int b = 0; b < n; b++) {
            int t = batch.tokens[b];
            if (t < 0 || t >= vocab) {
                throw new IllegalArgumentException("token id " + t + " out of range [0, " + vocab + ")");
            }
            w.tokenEmbedding().tensor().dequantize((long) t * dim, x, b * dim, dim);
        }
        for (int l = 0; l < c.layers(); l++) {
            layer(l, batch.positions, n, batch, state);
        }
        int rows = 0;
        float[] xb = state.xb;
        for (int g = 0; g < batch.segments; g++) {
            batch.caches[g].advance(batch.count[g]);
            if (batch.logits[g]) {
                int last = batch.start[g] + batch.count[g] - 1;
                rmsnorm(xb, rows++ * dim, x, last * dim, w.outputNorm(), dim, c.rmsEps());
            }
        }
        float[] logits = state.logits(Math.max(1, rows) * vocab);
        if (rows > 0) {
            MatMul.matvecRows(par, new FloatTensor[] {w.output().tensor()}, new int[] {vocab}, dim, xb, 0, rows,
                    new float[][] {logits});
        }
        return logits;
    }

    /**
     * {@code outs[m] = ws[m] · in} for the rows of every sequence of the batch: the one-row
     * sequences together (each weight row read once for all of them), each prompt chunk as a
     * matrix product of its own, so each row's arithmetic is that of its sequence alone.
     */
    private void linear(SequenceBatch batch, FloatTensor[] ws, int[] rows, int cols, float[] in, float[][] outs) {
        for (int g = 0; g < batch.segments; ) {
            int from = batch.start[g];
            if (batch.count[g] == 1) {
                int k = g + 1;
                while (k < batch.segments && batch.count[k] == 1) k++;
                MatMul.matvecRows(par, ws, rows, cols, in, from, k - g, outs);
                g = k;
            } else {
                for (int m = 0; m < ws.length; m++) MatMul.matmul(par, ws[m], rows[m], cols, in, from, batch.count[g], outs[m]);
                g++;
            }
        }
    }

    private void layer(int l, int[] positions, int n, SequenceBatch batch, ForwardState s) {
        LayerWeights lw = w.layers()[l];
        int dim = c.dim(), qDim = c.qDim(), kvDim = c.kvDim(), hs = c.headSize();
        float[] x = s.x, xb = s.xb;
        for (int b = 0; b < n; b++) rmsnorm(xb, b * dim, x, b * dim, lw.attnNorm(), dim, c.rmsEps());
        linear(batch, new FloatTensor[] {lw.wq().tensor(), lw.wk().tensor(), lw.wv().tensor()},
                new int[] {qDim, kvDim, kvDim}, dim, xb, new float[][] {s.q, s.k, s.v});
        addBias(s.q, lw.bq(), n, qDim);
        addBias(s.k, lw.bk(), n, kvDim);
        addBias(s.v, lw.bv(), n, kvDim);
        headNorm(s.q, lw.qNorm(), n * c.heads(), hs, c.rmsEps());
        headNorm(s.k, lw.kNorm(), n * c.kvHeads(), hs, c.rmsEps());
        for (int b = 0; b < n; b++) {
            rope.angles(positions[b], s.cos, s.sin);
            rope.rotate(s.q, b * qDim, c.heads(), s.cos, s.sin);
            rope.rotate(s.k, b * kvDim, c.kvHeads(), s.cos, s.sin);
        }
        for (int g = 0; g < batch.segments && !batch.draft; g++) {
            KvCache cache = batch.caches[g];
            int first = batch.start[g], m = batch.count[g];
            for (int h = 0; h < c.kvHeads(); h++) {
                HeadStore store = cache.head(l, h);
                store.reserve(m);
                for (int b = first; b < first + m; b++) {
                    store.append(s.k, b * kvDim + h * hs, s.v, b * kvDim + h * hs, positions[b],
                            cache.step() + batch.stepOffset[g] + b - first);
                }
            }
            if (first == 0) {
                attention(l, m, cache, s);
            } else {
                ForwardState rows = s.attentionScratch(m);
                System.arraycopy(s.q, first * qDim, rows.q, 0, m * qDim);
                attention(l, m, cache, rows);
                System.arraycopy(rows.att, 0, s.att, first * qDim, m * qDim);
            }
        }
        if (batch.draft) draftAttention(l, n, batch, s);
        linear(batch, new FloatTensor[] {lw.wo().tensor()}, new int[] {dim}, qDim, s.att, new float[][] {xb});
        for (int i = 0; i < n * dim; i++) x[i] += xb[i];

        for (int b = 0; b < n; b++) rmsnorm(xb, b * dim, x, b * dim, lw.ffnNorm(), dim, c.rmsEps());
        int ffn = c.ffnDim();
        linear(batch, new FloatTensor[] {lw.wGate().tensor(), lw.wUp().tensor()}, new int[] {ffn, ffn}, dim, xb,
                new float[][] {s.hb, s.hb2});
        float[] hb = s.hb, hb2 = s.hb2;
        par.forRange(n * ffn, 16384, (from, to) -> {
            for (int i = from; i < to; i++) {
                float g = hb[i];
                hb[i] = g / (1f + (float) Math.exp(-g)) * hb2[i];
            }
        });
        linear(batch, new FloatTensor[] {lw.wDown().tensor()}, new int[] {dim}, ffn, hb, new float[][] {xb});
        for (int i = 0; i < n * dim; i++) x[i] += xb[i];
    }

    /**
     * Attention of a draft's rows (speculative decoding, {@link SequenceBatch#addDraft}): all rows'
     * keys and values are appended, then each row attends as the decoding step of its token would —
     * a chain causally (the multi-row path, per row the arithmetic of one row), a tree through its
     * ancestors only ({@link DraftAttention}) — in one parallel pass.
     */
    private void draftAttention(int l, int n, SequenceBatch batch, ForwardState s) {
        KvCache cache = batch.caches[0];
        int kvDim = c.kvDim(), hs = c.headSize(), kvHeads = c.kvHeads();
        long base = 0;
        for (int h = 0; h < kvHeads; h++) {
            HeadStore store = cache.head(l, h);
            base += store.size();
            store.reserve(n);
            for (int b = 0; b < n; b++) {
                store.append(s.k, b * kvDim + h * hs, s.v, b * kvDim + h * hs, batch.positions[b],
                        cache.step() + batch.stepOffset[b]);
            }
        }
        for (int b = 0; b < n; b++) {
            long held = base + (long) kvHeads * (batch.stepOffset[b] + 1);
            cache.countReads(kvHeads, held, held);
        }
        if (batch.parents == null) attention(l, n, cache, s);
        else DraftAttention.attend(c, par, grouped, l, cache, s, n, batch.parents);
    }

    private void attention(int l, int n, KvCache cache, ForwardState s) {
        int hs = c.headSize(), qDim = c.qDim(), group = c.groupSize();
        float[] q = s.q, att = s.att;
        QueryWindow window = cache.queries();
        if (window != null) {
            for (int b = 0; b < n; b++) window.add(l, q, b * qDim);
        }
        AttentionRecorder recorder = cache.attentionRecorder();
        EntrySelector selector = cache.selector();
        if (n == 1 && selector != null) {
            attentionSparse(l, cache, s, selector, recorder);
            return;
        }
        if (n == 1) {
            long held = 0;
            for (int h = 0; h < c.kvHeads(); h++) held += cache.head(l, h).size();
            cache.countReads(c.kvHeads(), held, held);
        }
        if (recorder != null) {
            attentionRecorded(l, n, cache, s, recorder);
            return;
        }
        int kvHeads = c.kvHeads(), width = group * hs;
        if (n == 1) {
            int[] counts = new int[kvHeads];
            for (int h = 0; h < kvHeads; h++) counts[h] = cache.head(l, h).size();
            decodeGrouped(l, cache, s, new int[kvHeads][], counts);
            return;
        }
        // Several rows: one task per (row, KV head), each row's chunks on one thread (the same bits as a decoding step).
        int work = Math.max(1, cache.head(l, 0).size()) * width;
        par.forRange(n * kvHeads, Math.max(1, (1 << 14) / work), (from, to) -> {
            for (int task = from; task < to; task++) {
                int b = task / kvHeads, kvh = task % kvHeads;
                HeadStore store = cache.head(l, kvh);
                int off = b * qDim + kvh * width;
                grouped.attend(store, q, off, null, store.size() - (n - 1 - b), att, off, null);
            }
        });
    }

    /** One decoding row, KV head {@code h} over {@code lists[h]} (null: all) of {@code counts[h]} entries, split-K over the pool. */
    private void decodeGrouped(int l, KvCache cache, ForwardState s, int[][] lists, int[] counts) {
        int chunks = 0;
        for (int count : counts) chunks += GroupedAttention.chunks(count);
        grouped.decode(par, cache, l, s.q, 0, lists, counts, s.att, 0, s.attentionPartials(chunks * grouped.partSize()));
    }

    /**
     * Attention when a policy records probabilities: split over KV heads, so that one thread
     * handles every query of a store and the recorder sees the group's probabilities summed.
     */
    private void attentionRecorded(int l, int n, KvCache cache, ForwardState s, AttentionRecorder recorder) {
        int hs = c.headSize(), qDim = c.qDim(), group = c.groupSize();
        float[] q = s.q, att = s.att;
        int step = cache.step();
        par.forRange(c.kvHeads(), 1, (from, to) -> {
            float[] sum = new float[64];
            for (int kvh = from; kvh < to; kvh++) {
                HeadStore store = cache.head(l, kvh);
                for (int b = 0; b < n; b++) {
                    int visible = store.size() - (n - 1 - b);
                    if (sum.length < visible) sum = new float[visible * 2];
                    java.util.Arrays.fill(sum, 0, visible, 0f);
                    int off = b * qDim + kvh * group * hs;
                    grouped.attend(store, q, off, null, visible, att, off, sum);
                    recorder.record(l, kvh, store, sum, visible, group, step + b);
                }
            }
        });
    }

    /**
     * Decoding attention that reads only the entries the selector chooses per KV head (sparse
     * attention); a head the selector leaves whole is attended as usual. With a recorder, the
     * probabilities of the entries not read are reported as 0.
     */
    private void attentionSparse(int l, KvCache cache, ForwardState s, EntrySelector selector, AttentionRecorder recorder) {
        int hs = c.headSize(), group = c.groupSize(), kvHeads = c.kvHeads();
        float[] q = s.q, att = s.att;
        Selection sel = cache.selection(l);
        selector.select(l, q, cache, sel);
        long read = 0, held = 0;
        for (int h = 0; h < kvHeads; h++) {
            int size = cache.head(l, h).size();
            held += size;
            read += sel.read(h, size);
        }
        cache.countReads(kvHeads, read, held);
        int[][] lists = new int[kvHeads][];
        int[] counts = new int[kvHeads];
        for (int h = 0; h < kvHeads; h++) {
            boolean whole = sel.isAll(h);
            lists[h] = whole ? null : sel.indices(h);
            counts[h] = whole ? cache.head(l, h).size() : sel.count(h);
        }
        if (recorder == null) {
            decodeGrouped(l, cache, s, lists, counts);
            return;
        }
        int step = cache.step();
        par.forRange(kvHeads, 1, (from, to) -> {
            float[] sum = new float[64];
            for (int kvh = from; kvh < to; kvh++) {
                HeadStore store = cache.head(l, kvh);
                int size = store.size();
                if (sum.length < size) sum = new float[size * 2];
                java.util.Arrays.fill(sum, 0, size, 0f);
                int off = kvh * group * hs;
                grouped.attend(store, q, off, lists[kvh], counts[kvh], att, off, sum);
                recorder.record(l, kvh, store, sum, size, group, step);
            }
        });
    }

    static void softmax(float[] x, int n) {
        Softmax.inPlace(x, n);
    }

    private static void addBias(float[] x, float[] bias, int n, int d) {
        if (bias == null) return;
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < d; i++) x[b * d + i] += bias[i];
        }
    }

    /** RMSNorm of each of {@code count} consecutive head vectors in place (qwen3's Q/K norm). */
    private static void headNorm(float[] x, float[] weight, int count, int hs, float eps) {
        if (weight == null) return;
        for (int i = 0; i < count; i++) rmsnorm(x, i * hs, x, i * hs, weight, hs, eps);
    }

    static void rmsnorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            ss += v * v;
        }
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) out[outOff + i] = weight[i] * (x[xOff + i] * inv);
    }
}
