package dev.winnow.kv.policy;

import static dev.winnow.kv.policy.TinyCaches.positions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.kv.KvCache;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PyramidKvPolicyTest {
    @Test
    void budgetsDecreaseLinearlyWithDepthAndAverageTheBase() {
        // b = 32 - 8 = 24: min = 24/20 = 1.2, max = 48 - 1.2 = 46.8, step 11.4; plus the window 8.
        PyramidAllocator a = new PyramidAllocator(20, 8);
        assertThat(a.budgets(5, 32)).containsExactly(55, 43, 32, 21, 9);
        assertThat(Arrays.stream(a.budgets(5, 32)).sum()).isEqualTo(5 * 32);
        // Without a window: min = 100/20 = 5, max = 195.
        assertThat(new PyramidAllocator(20, 0).budgets(3, 100)).containsExactly(195, 100, 5);
        assertThat(new PyramidAllocator(2, 2).budgets(3, 8)).containsExactly(11, 8, 5);
        assertThat(new PyramidAllocator(20, 8).budgets(1, 32)).containsExactly(32);
        // Every head of a layer gets the layer's budget, whatever the scores.
        assertThat(a.allocate(4, 5, 32, new float[3][40], new int[] {40, 40, 40})).containsExactly(9, 9, 9);
    }

    @Test
    void overComparesWithTheLayersOwnBudget() {
        PyramidAllocator a = new PyramidAllocator(20, 8);
        assertThat(a.over(0, 5, 32, new int[] {50, 55})).isFalse();
        assertThat(a.over(0, 5, 32, new int[] {50, 56})).isTrue();
        assertThat(a.over(4, 5, 32, new int[] {9, 10})).isTrue();
        assertThat(a.over(4, 5, 32, new int[] {9, 9})).isFalse();
    }

    @Test
    void eachLayerKeepsTheWindowAndItsBestEntriesUpToItsBudget() {
        // budget 8, window 2, beta 2: layers keep 11, 8 and 5 entries.
        KvPolicy p = KvSpec.parse("pyramidkv:budget=8,window=2,beta=2,kernel=1").newPolicy();
        float[] a = {3, 9, 1, 12, 5, 0.5f, 11, 7, 2, 10, 4, 8, 6, 13, 0, 0};
        // Ranking of entries 0..13 by key: 13, 3, 6, 9, 1, 11, 7, 12, 4, 10, 0, 8, 2, 5.
        KvCache cache = TinyCaches.cache(3, 1, a);
        PolicyContext ctx = TinyCaches.ctx(3, 1, 1);
        p.attach(cache, ctx);
        TinyCaches.windowQueries(cache, 1, 2);
        p.afterPrefill(cache, ctx);
        assertThat(positions(cache, 0, 0)).containsExactly(1, 3, 4, 6, 7, 9, 11, 12, 13, 14, 15);
        assertThat(positions(cache, 1, 0)).containsExactly(1, 3, 6, 9, 11, 13, 14, 15);
        assertThat(positions(cache, 2, 0)).containsExactly(3, 6, 13, 14, 15);
    }

    @Test
    void parametersAreValidated() {
        assertThat(KvSpec.parse("pyramidkv").newPolicy()).isInstanceOf(EvictionPolicy.class);
        assertThatThrownBy(() -> KvSpec.parse("pyramidkv:beta=0.5")).hasMessageContaining("beta=0.5 must be between 1.0");
        assertThatThrownBy(() -> KvSpec.parse("pyramidkv:budget=16,window=32"))
                .hasMessageContaining("window (32) exceeds the budget 16");
        assertThatThrownBy(() -> KvSpec.parse("pyramidkv:pool=min")).hasMessageContaining("pool='min' is not one of max, avg");
        assertThatThrownBy(() -> new PyramidAllocator(0.5, 2)).hasMessageContaining("beta must be >= 1");
    }
}
