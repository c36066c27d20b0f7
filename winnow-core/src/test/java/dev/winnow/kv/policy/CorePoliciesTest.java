package dev.winnow.kv.policy;

import static dev.winnow.kv.policy.TinyCaches.concat;
import static dev.winnow.kv.policy.TinyCaches.positions;
import static dev.winnow.kv.policy.TinyCaches.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import org.junit.jupiter.api.Test;

/** window, streaming, h2o and snapkv on hand-made caches whose survivors are obvious. */
class CorePoliciesTest {
    @Test
    void windowKeepsTheNewest() {
        KvCache cache = TinyCaches.plain(2, 2, 20);
        EvictionPolicy p = (EvictionPolicy) KvSpec.parse("window:budget=6").newPolicy();
        PolicyContext ctx = TinyCaches.ctx(2, 2, 4);
        p.attach(cache, ctx);
        p.afterPrefill(cache, ctx);
        for (int l = 0; l < 2; l++) for (int h = 0; h < 2; h++) assertThat(positions(cache, l, h)).containsExactly(range(14, 20));
    }

    @Test
    void windowRatioKeepsAQuarter() {
        KvCache cache = TinyCaches.plain(1, 1, 20);
        EvictionPolicy p = (EvictionPolicy) KvSpec.parse("window:ratio=0.75").newPolicy();
        PolicyContext ctx = TinyCaches.ctx(1, 1, 1);
        p.attach(cache, ctx);
        p.afterPrefill(cache, ctx);
        assertThat(positions(cache, 0, 0)).containsExactly(range(15, 20));
        assertThat(p.resolvedBudget()).isEqualTo(5);
    }

    @Test
    void streamingKeepsSinksAndWindowAndRepositionsKeys() {
        KvCache cache = new KvCache(1, 1, 2);
        HeadStore s = cache.head(0, 0);
        for (int i = 0; i < 12; i++) s.append(new float[] {1, 0}, 0, new float[] {i, 0}, 0, i, i);
        KvPolicy p = KvSpec.parse("streaming:sinks=2,window=3").newPolicy();
        // A rotation that records the deltas it was asked for: key[1] += delta.
        PolicyContext ctx = new PolicyContext(1, 1, 1, 2, 512, (k, off, d) -> k[off + 1] += d, null, null, null,
                PolicyContext.historyOf());
        p.attach(cache, ctx);
        p.afterDecode(cache, ctx);
        assertThat(s.size()).isEqualTo(5);
        float[] v = new float[2], k = new float[2];
        int[] originalTokens = new int[5];
        for (int i = 0; i < 5; i++) {
            s.value(i, v, 0);
            originalTokens[i] = (int) v[0];
            s.key(i, k, 0);
            assertThat(s.position(i)).isEqualTo(i);
            assertThat(k[1]).as("entry %d rotated by new − old position", i).isEqualTo(i - v[0]);
        }
        assertThat(originalTokens).containsExactly(0, 1, 9, 10, 11);
        // The next token goes at the position after the kept ones.
        assertThat(p.positionFor(cache, 12, 0)).isEqualTo(5);
        assertThat(p.unboundedContext()).isTrue();
    }

    @Test
    void h2oKeepsHeavyHittersAndTheRecentWindow() {
        KvCache cache = TinyCaches.plain(1, 1, 10);
        KvPolicy p = KvSpec.parse("h2o:budget=4,recent=2").newPolicy();
        PolicyContext ctx = TinyCaches.ctx(1, 1, 1);
        p.attach(cache, ctx);
        HeadStore s = cache.head(0, 0);
        // Queries put most attention on positions 3 and 6; 3 gets the most overall.
        for (int q = 0; q < 5; q++) {
            float[] probs = new float[10];
            java.util.Arrays.fill(probs, 0.02f);
            probs[3] = 0.5f;
            probs[6] = 0.34f;
            cache.attentionRecorder().record(0, 0, s, probs, 10, 1, q);
        }
        p.afterDecode(cache, ctx);
        assertThat(positions(cache, 0, 0)).containsExactly(3, 6, 8, 9);
    }

    @Test
    void h2oWithoutAttentionFallsBackToRecency() {
        KvCache cache = TinyCaches.plain(1, 1, 10);
        KvPolicy p = KvSpec.parse("h2o:budget=4,recent=0").newPolicy();
        PolicyContext ctx = TinyCaches.ctx(1, 1, 1);
        p.attach(cache, ctx);
        p.afterDecode(cache, ctx);
        // all scores 0: ties go to the newer entries
        assertThat(positions(cache, 0, 0)).containsExactly(6, 7, 8, 9);
    }

    @Test
    void snapKvKeepsWhatTheWindowAttendsToWithItsNeighbours() {
        // Keys: entry 5 stands out for the window queries (2,0,0,0); kernel 3 keeps 4 and 6 too.
        float[] a = new float[16];
        a[5] = 8;
        KvCache cache = TinyCaches.cache(1, 1, a);
        KvPolicy p = KvSpec.parse("snapkv:budget=6,window=3,kernel=3").newPolicy();
        PolicyContext ctx = TinyCaches.ctx(1, 1, 1);
        p.attach(cache, ctx);
        TinyCaches.windowQueries(cache, 1, 3);
        p.afterPrefill(cache, ctx);
        assertThat(positions(cache, 0, 0)).containsExactly(concat(new int[] {4, 5, 6}, range(13, 16)));
    }

    @Test
    void snapKvScoresEachKvHeadWithItsOwnQueryGroup() {
        // Two KV heads with different standouts: head 0 at position 2, head 1 at position 9.
        float[][][] a = new float[1][2][12];
        a[0][0][2] = 8;
        a[0][1][9] = 8;
        KvCache cache = TinyCaches.cache(a);
        KvPolicy p = KvSpec.parse("snapkv:budget=3,window=2,kernel=1").newPolicy();
        PolicyContext ctx = TinyCaches.ctx(1, 2, 4);
        p.attach(cache, ctx);
        TinyCaches.windowQueries(cache, 4, 2);
        p.afterPrefill(cache, ctx);
        assertThat(positions(cache, 0, 0)).containsExactly(2, 10, 11);
        assertThat(positions(cache, 0, 1)).containsExactly(9, 10, 11);
    }

    @Test
    void slackLetsAHeadGrowPastTheBudgetDuringDecodingThenCompressesBackToIt() {
        KvCache cache = TinyCaches.plain(1, 1, 8);
        KvPolicy p = KvSpec.parse("window:budget=8,slack=3").newPolicy();
        assertThat(((BudgetedPolicy) p).slack()).isEqualTo(3);
        assertThat(((BudgetedPolicy) KvSpec.parse("snapkv:budget=64,window=16").newPolicy()).slack()).isEqualTo(16);
        PolicyContext ctx = TinyCaches.ctx(1, 1, 1);
        p.attach(cache, ctx);
        p.afterPrefill(cache, ctx);
        HeadStore s = cache.head(0, 0);
        int[] sizes = new int[8];
        for (int t = 0; t < 8; t++) {
            s.append(new float[4], 0, new float[4], 0, 8 + t, 8 + t);
            p.afterDecode(cache, ctx);
            sizes[t] = s.size();
        }
        // Compressed every 3 decoded tokens: a head holds at most budget + slack = 11 entries.
        assertThat(sizes).containsExactly(9, 10, 8, 9, 10, 8, 9, 10);
        assertThat(positions(cache, 0, 0)).containsExactly(range(6, 16));
    }

    @Test
    void selectBreaksTiesTowardTheNewerEntryAndHandlesNegativeScores() {
        float[] scores = {-1f, 5f, -0f, 0f, 5f, -3f, 2f};
        assertThat(EvictionPolicy.select(scores, 7, 3, 0, 0)).containsExactly(1, 4, 6);
        assertThat(EvictionPolicy.select(scores, 7, 5, 0, 0)).containsExactly(1, 2, 3, 4, 6);
        assertThat(EvictionPolicy.select(scores, 7, 4, 1, 1)).containsExactly(0, 1, 4, 6);
    }
}
