package dev.winnow.model;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.tensor.FloatTensor;
import dev.winnow.tensor.Parallel;
import dev.winnow.tensor.Softmax;
import java.util.Arrays;

/**
 * Attention of one GQA group — the query heads that share a KV head — over a list of a store's
 * entries (every entry, or a sparse selection): the one function full, sparse, recorded, batched
 * and draft attention all use, so their results agree bit for bit.
 *
 * <p>The list is cut into fixed chunks of {@link #CHUNK} list positions. Per chunk, one pass over
 * the keys scores every head of the group ({@link HeadStore#scoresGroup}), each head's scores
 * become {@code e^(s − m)} with the chunk's maximum {@code m} and sum {@code l}, and one pass over
 * the values adds {@code Σ e·v} for every head ({@link HeadStore#accumulateValuesGroup}): each
 * entry is read once per step, not once per query head. The chunks' partial softmaxes are then
 * merged in chunk order (flash-decoding's split-K): {@code M = max m_c}, {@code L = Σ e^(m_c − M) l_c},
 * {@code out = Σ e^(m_c − M) o_c / L}. Chunk boundaries depend only on the list's length, and the
 * merge order is fixed, so a decoding step whose chunks run on several threads
 * ({@link #decode}) computes exactly what one thread computes ({@link #attend}), whatever the
 * number of threads or the other sequences of a batch.
 */
public final class GroupedAttention {
    /** List positions per chunk: the unit of split-K work and of the merge. */
    public static final int CHUNK = 256;
    /** Below this many multiply-adds per thread, a split is not worth the hand-off. */
    private static final int MIN_WORK = 1 << 14;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final int group;
    private final int hs;
    private final float scale;
    /** Floats of one chunk's partial result: per head its maximum, its sum and {@code hs} unnormalised outputs. */
    private final int partSize;

    public GroupedAttention(int group, int headSize, float scale) {
        this.group = group;
        this.hs = headSize;
        this.scale = scale;
        this.partSize = group * (headSize + 2);
    }

    public static int chunks(int count) {
        return (count + CHUNK - 1) / CHUNK;
    }

    int partSize() {
        return partSize;
    }

    /**
     * One thread: the group's queries {@code q[qOff…]} ({@code group × hs} floats) over list positions
     * {@code [0, count)} of {@code idx} (entry {@code j} when null) into {@code att[attOff…]}.
     *
     * @param probs null, or per entry the probabilities summed over the group's heads are added at
     *              the entry's index (attention recorders)
     */
    public void attend(HeadStore store, float[] q, int qOff, int[] idx, int count, float[] att, int attOff, float[] probs) {
        Scratch s = SCRATCH.get();
        int nc = chunks(count);
        float[] part = s.part(nc * partSize);
        if (probs == null) {
            float[] e = s.scores(group * CHUNK);
            for (int c = 0; c < nc; c++) chunk(store, q, qOff, idx, count, c, e, 0, CHUNK, part, c * partSize);
            merge(part, 0, nc, att, attOff, null);
            return;
        }
        int stride = nc * CHUNK;
        float[] e = s.scores(group * stride);
        for (int c = 0; c < nc; c++) chunk(store, q, qOff, idx, count, c, e, c * CHUNK, stride, part, c * partSize);
        float[] factors = s.factors(group * nc);
        merge(part, 0, nc, att, attOff, factors);
        for (int h = 0; h < group; h++) {
            for (int c = 0; c < nc; c++) {
                float f = factors[h * nc + c];
                for (int j = c * CHUNK, end = Math.min(count, j + CHUNK); j < end; j++) {
                    probs[idx == null ? j : idx[j]] += e[h * stride + j] * f;
                }
            }
        }
    }

    /**
     * One decoding row of a layer: KV head {@code h} attends over {@code lists[h]} (null: every entry)
     * of length {@code counts[h]}, its query heads at {@code q[qOff + h·group·hs…]}, into
     * {@code att[attOff + h·group·hs…]}. The (KV head, chunk) pairs are split over the pool, so two
     * threads stay busy with three KV heads; the partials are merged per head in chunk order.
     *
     * @param part a buffer of at least {@link #partSize()} × the total chunk count floats
     */
    void decode(Parallel par, KvCache cache, int layer, float[] q, int qOff, int[][] lists, int[] counts, float[] att,
                int attOff, float[] part) {
        int kvHeads = counts.length;
        int[] first = new int[kvHeads + 1];
        int longest = 1;
        for (int h = 0; h < kvHeads; h++) {
            first[h + 1] = first[h] + chunks(counts[h]);
            longest = Math.max(longest, Math.min(counts[h], CHUNK));
        }
        int total = first[kvHeads];
        int width = group * hs;
        par.forRange(total, Math.max(1, MIN_WORK / (longest * width)), (from, to) -> {
            float[] e = SCRATCH.get().scores(group * CHUNK);
            int h = 0;
            for (int t = from; t < to; t++) {
                while (t >= first[h + 1]) h++;
                chunk(cache.head(layer, h), q, qOff + h * width, lists[h], counts[h], t - first[h], e, 0, CHUNK, part,
                        t * partSize);
            }
        });
        for (int h = 0; h < kvHeads; h++) {
            merge(part, first[h] * partSize, first[h + 1] - first[h], att, attOff + h * width, null);
        }
    }

    /**
     * Chunk {@code c} of the list: scores at {@code e[eOff + h·stride…]}, replaced by {@code e^(s − m_h)};
     * the chunk's maxima, sums and unnormalised outputs at {@code part[p…]}.
     */
    private void chunk(HeadStore store, float[] q, int qOff, int[] idx, int count, int c, float[] e, int eOff,
                       int stride, float[] part, int p) {
        int from = c * CHUNK, to = Math.min(count, from + CHUNK), n = to - from;
        store.scoresGroup(q, qOff, group, idx, from, to, scale, e, eOff, stride);
        for (int h = 0; h < group; h++) {
            int o = eOff + h * stride;
            float m = Softmax.max(e, o, n);
            float l;
            if (m == Float.NEGATIVE_INFINITY) { // every score −∞ (masked by a logit bias): no weight
                Arrays.fill(e, o, o + n, 0f);
                l = 0f;
            } else {
                l = Softmax.expShifted(e, o, n, m);
            }
            part[p + h] = m;
            part[p + group + h] = l;
        }
        Arrays.fill(part, p + 2 * group, p + partSize, 0f);
        store.accumulateValuesGroup(e, eOff, stride, group, idx, from, to, part, p + 2 * group);
    }

    /**
     * Merges chunks {@code c < nc} (partials at {@code part[p0 + c·partSize…]}) into the outputs, in
     * chunk order. {@code factors} (or null) receives per head and chunk {@code e^(m_c − M) / L}, the
     * factor that turns the chunk's {@code e} values into probabilities.
     */
    private void merge(float[] part, int p0, int nc, float[] att, int attOff, float[] factors) {
        for (int h = 0; h < group; h++) {
            int a = attOff + h * hs;
            Arrays.fill(att, a, a + hs, 0f);
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < nc; c++) max = Math.max(max, part[p0 + c * partSize + h]);
            if (max == Float.NEGATIVE_INFINITY) {
                if (factors != null) Arrays.fill(factors, h * nc, h * nc + nc, 0f);
                continue;
            }
            float sum = 0f;
            for (int c = 0; c < nc; c++) {
                int pc = p0 + c * partSize;
                float f = Softmax.expNonPositive(part[pc + h] - max);
                sum += f * part[pc + group + h];
                FloatTensor.axpy(f, part, pc + 2 * group + h * hs, att, a, hs);
                if (factors != null) factors[h * nc + c] = f;
            }
            float inv = 1f / sum;
            for (int d = 0; d < hs; d++) att[a + d] *= inv;
            if (factors != null) for (int c = 0; c < nc; c++) factors[h * nc + c] *= inv;
        }
    }

    /** One thread's buffers, reused from call to call. */
    private static final class Scratch {
        private float[] scores = new float[0];
        private float[] part = new float[0];
        private float[] factors = new float[0];

        float[] scores(int n) {
            if (scores.length < n) scores = new float[Math.max(n, scores.length * 2)];
            return scores;
        }

        float[] part(int n) {
            if (part.length < n) part = new float[Math.max(n, part.length * 2)];
            return part;
        }

        float[] factors(int n) {
            if (factors.length < n) factors = new float[Math.max(n, factors.length * 2)];
            return factors;
        }
    }
}
