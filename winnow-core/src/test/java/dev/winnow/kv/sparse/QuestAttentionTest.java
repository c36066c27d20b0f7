package dev.winnow.kv.sparse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.kv.policy.PolicyContext;
import dev.winnow.tensor.FloatTensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuestAttentionTest {
    static final int HS = 8;

    static KvCache randomCache(Random r, int n) {
        KvCache cache = new KvCache(1, 1, HS);
        HeadStore s = cache.head(0, 0);
        for (int i = 0; i < n; i++) {
            float[] k = new float[HS], v = new float[HS];
            for (int c = 0; c < HS; c++) {
                k[c] = (float) (r.nextGaussian() * (c == 3 ? 6 : 1));
                v[c] = (float) r.nextGaussian();
            }
            s.append(k, 0, v, 0, i, i);
        }
        return cache;
    }

    static PolicyContext ctx() {
        return new PolicyContext(1, 1, 1, HS, 4096, (k, off, d) -> {
        }, null, null, null, PolicyContext.historyOf());
    }

    static float[] randomQuery(Random r) {
        float[] q = new float[HS];
        for (int c = 0; c < HS; c++) q[c] = (float) r.nextGaussian();
        return q;
    }

    /** Quest's reference keeps the first two layers dense (issue #20 item 4); dense=0 makes every layer sparse. */
    @Test
    void theFirstTwoLayersReadEveryEntryByDefault() {
        Random r = new Random(3);
        int layers = 4, n = 200;
        KvCache cache = new KvCache(layers, 1, HS);
        float[] k = new float[HS], v = new float[HS];
        for (int l = 0; l < layers; l++) {
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < HS; c++) k[c] = (float) r.nextGaussian();
                cache.head(l, 0).append(k, 0, v, 0, i, i);
            }
        }
        PolicyContext ctx = new PolicyContext(layers, 1, 1, HS, 4096, (kk, off, d) -> {
        }, null, null, null, PolicyContext.historyOf());
        for (String spec : new String[] {"quest:budget=32", "quest:budget=32,dense=0", "quest:budget=32,bound=max"}) {
            QuestAttention quest = (QuestAttention) ((dev.winnow.kv.codec.ComposedPolicy) KvSpec.parse(spec).newPolicy())
                    .components().get(0);
            quest.attach(cache, ctx);
            int dense = spec.contains("dense=0") ? 0 : 2;
            for (int l = 0; l < layers; l++) {
                Selection sel = new Selection(1);
                quest.select(l, randomQuery(r), cache, sel);
                if (l < dense) assertThat(sel.read(0, n)).as("%s layer %d", spec, l).isEqualTo(n);
                else assertThat(sel.read(0, n)).as("%s layer %d", spec, l).isBetween(16, 32);
            }
        }
    }

    /** bound=max ranks a page by the largest single query head's bound (Quest's per-head bound), bound=sum by the group's sum. */
    @Test
    void perHeadBoundRanksByTheBestSingleHead() {
        // one KV head, two query heads; page 0 suits head 0 only (+8 on channel 0), page 1 both a little (+3 on each)
        int hs = 2, page = 2, n = 12;
        KvCache cache = new KvCache(1, 1, hs);
        float[] v = new float[hs];
        for (int i = 0; i < n; i++) {
            float[] k = i < 2 ? new float[] {8, -8} : i < 4 ? new float[] {3, 3} : new float[] {0, 0};
            cache.head(0, 0).append(k, 0, v, 0, i, i);
        }
        PolicyContext ctx = new PolicyContext(1, 1, 2, hs, 4096, (kk, off, d) -> {
        }, null, null, null, PolicyContext.historyOf());
        float[] q = {1, 0, 0, 1}; // head 0 looks at channel 0, head 1 at channel 1
        // sum: page 0 bound 8 − 8 = 0, page 1 3 + 3 = 6 → page 1; max: page 0 max(8, −8) = 8 > 3 → page 0
        assertThat(readPage("quest:budget=4,page=2,sinks=0,recent=2,dense=0", cache, ctx, q)).containsExactly(2, 3, 10, 11);
        assertThat(readPage("quest:budget=4,page=2,sinks=0,recent=2,dense=0,bound=max", cache, ctx, q)).containsExactly(0, 1, 10, 11);
    }

    private static int[] readPage(String spec, KvCache cache, PolicyContext ctx, float[] q) {
        QuestAttention quest = (QuestAttention) ((dev.winnow.kv.codec.ComposedPolicy) KvSpec.parse(spec).newPolicy())
                .components().get(0);
        quest.attach(cache, ctx);
        Selection sel = new Selection(1);
        quest.select(0, q, cache, sel);
        return java.util.Arrays.copyOf(sel.indices(0), sel.count(0));
    }

    @Test
    void thePageBoundIsAnUpperBoundOfEveryScoreInThePage() {
        Random r = new Random(11);
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + r.nextInt(200), page = 1 + r.nextInt(20);
            KvCache cache = randomCache(r, n);
            HeadStore s = cache.head(0, 0);
            // built incrementally, as decoding extends the store: half, then the rest
            PageBounds pb = new PageBounds(HS, page);
            HeadStore growing = new HeadStore(HS);
            float[] k = new float[HS], v = new float[HS];
            for (int i = 0; i < n; i++) {
                if (i == n / 2) pb.update(growing);
                s.key(i, k, 0);
                growing.append(k, 0, v, 0, i);
            }
            pb.update(growing);
            float[] q = randomQuery(r);
            for (int i = 0; i < n; i++) {
                s.key(i, k, 0);
                float dot = FloatTensor.dot(q, 0, k, 0, HS);
                float bound = pb.bound(i / page, q, 0);
                assertThat(bound).as("trial %d entry %d", trial, i).isGreaterThanOrEqualTo(dot - 1e-4f * (1 + Math.abs(dot)));
            }
        }
    }

    @Test
    void boundsExtendAsEntriesArriveAndRebuildAfterEviction() {
        Random r = new Random(2);
        KvCache cache = randomCache(r, 40);
        HeadStore s = cache.head(0, 0);
        PageBounds pb = new PageBounds(HS, 16);
        pb.update(s);
        assertThat(pb.covered()).isEqualTo(40);
        s.append(new float[] {100, 0, 0, 0, 0, 0, 0, 0}, 0, new float[HS], 0, 40, 40);
        pb.update(s);
        float[] q = {1, 0, 0, 0, 0, 0, 0, 0};
        assertThat(pb.bound(2, q, 0)).isEqualTo(100f); // the new key widened page 2
        s.retain(java.util.stream.IntStream.range(0, 40).toArray()); // evict it
        pb.update(s);
        assertThat(pb.bound(2, q, 0)).isLessThan(100f);
    }

    /**
     * The exact top-1 entry is read whenever its page's bound ranks among the pages the budget
     * holds: the page-level guarantee Quest gives.
     */
    @Test
    void theTopEntryIsReadWhenItsPageRanksWithinThePageBudget() {
        Random r = new Random(7);
        int page = 4, budget = 24, n = 200;
        int ranked = 0;
        for (int trial = 0; trial < 200; trial++) {
            KvCache cache = randomCache(r, n);
            QuestAttention quest = (QuestAttention) ((dev.winnow.kv.codec.ComposedPolicy) KvSpec
                    .parse("quest:budget=" + budget + ",page=" + page + ",sinks=0,recent=0,dense=0").newPolicy()).components().get(0);
            quest.attach(cache, ctx());
            float[] q = randomQuery(r);
            Selection sel = new Selection(1);
            quest.select(0, q, cache, sel);
            HeadStore s = cache.head(0, 0);
            float[] k = new float[HS];
            int top = 0;
            float best = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                s.key(i, k, 0);
                float d = FloatTensor.dot(q, 0, k, 0, HS);
                if (d > best) {
                    best = d;
                    top = i;
                }
            }
            PageBounds pb = quest.bounds(0, 0);
            float topBound = pb.bound(top / page, q, 0);
            int rank = 0; // pages with a strictly higher bound
            for (int p = 0; p < n / page; p++) if (pb.bound(p, q, 0) > topBound) rank++;
            assertThat(sel.isAll(0)).isFalse();
            assertThat(sel.count(0)).isLessThanOrEqualTo(budget);
            if (rank < budget / page) {
                ranked++;
                int[] idx = java.util.Arrays.copyOf(sel.indices(0), sel.count(0));
                assertThat(idx).as("trial %d: top entry %d (page rank %d)", trial, top, rank).contains(top);
            }
        }
        assertThat(ranked).as("trials where the top page ranked within budget").isGreaterThan(100);
    }

    /** The vector kernel of the selection (summed group bounds from positive/negative query parts) against the definition. */
    @Test
    void groupBoundsEqualTheSumOfThePerHeadBounds() {
        Random r = new Random(5);
        for (int dim : new int[] {8, 16, 48, 64, 80}) {
            for (int group : new int[] {1, 3}) {
                int n = 1 + r.nextInt(150), page = 1 + r.nextInt(17);
                HeadStore s = new HeadStore(dim);
                float[] k = new float[dim], v = new float[dim];
                for (int i = 0; i < n; i++) {
                    for (int c = 0; c < dim; c++) k[c] = (float) (r.nextGaussian() * (1 + c % 5));
                    s.append(k, 0, v, 0, i);
                }
                PageBounds pb = new PageBounds(dim, page);
                pb.update(s);
                float[] q = new float[group * dim], qPos = new float[dim], qNeg = new float[dim];
                for (int i = 0; i < q.length; i++) q[i] = (float) r.nextGaussian();
                for (int h = 0; h < group; h++) {
                    for (int c = 0; c < dim; c++) {
                        float x = q[h * dim + c];
                        if (x > 0) qPos[c] += x;
                        else qNeg[c] += x;
                    }
                }
                int pages = (n + page - 1) / page;
                float[] got = new float[pages];
                pb.bounds(qPos, qNeg, 0, pages, got);
                for (int p = 0; p < pages; p++) {
                    float want = 0;
                    for (int h = 0; h < group; h++) want += pb.bound(p, q, h * dim);
                    assertThat(got[p]).as("dim %d group %d page %d", dim, group, p)
                            .isCloseTo(want, org.assertj.core.api.Assertions.within(1e-4f * (1 + Math.abs(want))));
                }
            }
        }
    }
}
