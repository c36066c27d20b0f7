package dev.winnow.kv.policy;

import static dev.winnow.kv.policy.TinyCaches.positions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.kv.KvCache;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AdaKvPolicyTest {
    static float[][] constantScores(int size, float... perHead) {
        float[][] s = new float[perHead.length][size];
        for (int h = 0; h < perHead.length; h++) Arrays.fill(s[h], perHead[h]);
        return s;
    }

    @Test
    void headsCompeteForTheLayerBudgetAboveTheFloor() {
        int[] sizes = {10, 10, 10};
        float[][] scores = constantScores(10, 1f, 0.5f, 0f);
        // base 4, 3 heads: 12 entries. alpha 0.5: each head keeps at least 2; head 0 wins the other 6.
        assertThat(new AdaptiveAllocator(0.5, 0).allocate(0, 1, 4, scores, sizes)).containsExactly(8, 2, 2);
        // No floor: head 0's 10 entries, then head 1's best 2, nothing for head 2.
        assertThat(new AdaptiveAllocator(0, 0).allocate(0, 1, 4, scores, sizes)).containsExactly(10, 2, 0);
        // Full floor: uniform.
        assertThat(new AdaptiveAllocator(1, 0).allocate(0, 1, 4, scores, sizes)).containsExactly(4, 4, 4);
        // A window of 2 per head stays outside: 3 × 2 compete, floor int(0.5 × 2) = 1.
        assertThat(new AdaptiveAllocator(0.5, 2).allocate(0, 1, 4, scores, sizes)).containsExactly(6, 3, 3);
        assertThat(new AdaptiveAllocator(0.5, 2).floor(4)).isEqualTo(1);
        assertThat(new AdaptiveAllocator(0.2, 0).floor(32)).isEqualTo(6);
    }

    @Test
    void budgetsSumToTheLayerBudgetAndRespectTheFloorOnRandomScores() {
        Random r = new Random(11);
        for (int trial = 0; trial < 200; trial++) {
            int heads = 1 + r.nextInt(6), size = 20 + r.nextInt(40), base = 4 + r.nextInt(16), recent = r.nextInt(4);
            double alpha = r.nextDouble();
            float[][] scores = new float[heads][size];
            for (float[] s : scores) for (int i = 0; i < size; i++) s[i] = (float) Math.pow(r.nextDouble(), 1 + 10 * r.nextDouble());
            int[] sizes = new int[heads];
            Arrays.fill(sizes, size);
            AdaptiveAllocator a = new AdaptiveAllocator(alpha, recent);
            int[] b = a.allocate(0, 1, base, scores, sizes);
            assertThat(Arrays.stream(b).sum()).as("trial %d", trial).isEqualTo(heads * base);
            for (int x : b) assertThat(x).isGreaterThanOrEqualTo(recent + a.floor(base)).isLessThanOrEqualTo(size);
        }
    }

    @Test
    void overLooksAtTheLayersTotal() {
        AdaptiveAllocator a = new AdaptiveAllocator(0.2, 1);
        assertThat(a.over(0, 1, 6, new int[] {4, 8})).isFalse();
        assertThat(a.over(0, 1, 6, new int[] {5, 8})).isTrue();
        assertThat(a.over(0, 1, 6, new int[] {1, 11})).isFalse();
    }

    @Test
    void aFocusedHeadGivesEntriesToASpreadOutOne() {
        // Head 0 attends to entries 0, 1 and 2 (p ≈ 0.57, 0.21, 0.21); head 1 uniformly (1/12 each).
        // budget 6 × 2 heads = 12; window 1 each; floor int(0.2 × 5) = 1.
        float[][][] a = {{{8, 7, 7, 3, 2, 1, 0, 0, 0, 0, 0, 0}, new float[12]}};
        KvCache cache = TinyCaches.cache(a);
        PolicyContext ctx = TinyCaches.ctx(1, 2, 2);
        KvPolicy p = KvSpec.parse("adakv:budget=6,window=1,alpha=0.2,kernel=1").newPolicy();
        p.attach(cache, ctx);
        TinyCaches.windowQueries(cache, 2, 1);
        p.afterPrefill(cache, ctx);
        assertThat(positions(cache, 0, 0)).containsExactly(0, 1, 2, 11);
        // Head 1's ties go to the newest entries.
        assertThat(positions(cache, 0, 1)).containsExactly(4, 5, 6, 7, 8, 9, 10, 11);
        assertThat(cache.stats().totalEntries()).isEqualTo(12);
    }

    @Test
    void parametersAreValidated() {
        assertThatThrownBy(() -> KvSpec.parse("adakv:alpha=1.5")).hasMessageContaining("alpha=1.5 must be between 0.0 and 1.0");
        assertThatThrownBy(() -> KvSpec.parse("adakv:budget=8")).hasMessageContaining("window (32) exceeds the budget 8");
        assertThatThrownBy(() -> KvSpec.parse("adakv:budget=64,floor=2")).hasMessageContaining("unknown parameter 'floor'")
                .hasMessageContaining("alpha");
    }
}
