package dev.winnow.kv.policy;

import static dev.winnow.kv.policy.AttentionScript.peaks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LazyEvictionPolicyTest {
    /** Step → the entries a query hits (0.9 of its attention split over them, the rest spread below 1/n). */
    static final Map<Integer, int[]> HITS = Map.of(1, new int[] {1}, 2, new int[] {2}, 5, new int[] {2},
            6, new int[] {1, 4}, 7, new int[] {4}, 8, new int[] {2}, 11, new int[] {2});

    /**
     * Twelve decoding steps: entry 2 recurs every 3 steps (last hit 11), entry 1 at steps 1 and 6
     * (interval 5), entry 4 at steps 6 and 7 (interval 1), the others are never hit.
     */
    static AttentionScript scripted(String spec) {
        AttentionScript s = new AttentionScript(spec);
        for (int t = 0; t < 12; t++) s.step(peaks(t + 1, 0.9f, HITS.getOrDefault(t, new int[0])));
        return s;
    }

    @Test
    void tracksTheMaximumRecurrenceInterval() {
        AttentionScript s = scripted("lazy:budget=16");
        assertThat(s.head(0).extra(2)).isEqualTo(3f);
        assertThat(s.head(0).extra(1)).isEqualTo(5f);
        assertThat(s.head(0).extra(4)).isEqualTo(1f);
        assertThat(s.head(0).extra(0)).isZero();
        assertThat(s.head(0).lastHitStep(2)).isEqualTo(11);
    }

    @Test
    void keepsEntriesStillWithinTheirRecurrenceCycle() {
        // At step 12: entry 2 → −1/3, entry 11 → −1, entry 1 → −6/5, entry 10 → −2, …, entry 4 → −5/1.
        // Entry 4 was hit more recently than entry 1, but its rhythm (every step) has broken.
        AttentionScript s = scripted("lazy:budget=4,recent=0").compress();
        assertThat(s.positions()).containsExactly(1, 2, 10, 11);
    }

    @Test
    void evictsLaggedOnceEveryLagStepsOverBudget() {
        AttentionScript s = new AttentionScript("lazy:budget=4,lag=3,recent=1");
        for (int i = 0; i < 6; i++) s.append(0);
        s.cache.advance(6);
        s.policy.afterPrefill(s.cache, s.ctx);
        assertThat(s.head(0).size()).isEqualTo(4);
        List<Integer> sizes = new ArrayList<>();
        for (int t = 0; t < 7; t++) {
            s.append(0).cache.advance(1);
            s.policy.afterDecode(s.cache, s.ctx);
            sizes.add(s.head(0).size());
        }
        assertThat(sizes).containsExactly(5, 6, 4, 5, 6, 4, 5);
        assertThat(((LazyEvictionPolicy) s.policy).lag()).isEqualTo(3);
    }

    @Test
    void lagOneEvictsEveryStepAndPrefillTriggerNever() {
        AttentionScript s = new AttentionScript("lazy:budget=4");
        for (int i = 0; i < 6; i++) s.append(0).cache.advance(1);
        s.policy.afterPrefill(s.cache, s.ctx);
        s.append(0).cache.advance(1);
        s.policy.afterDecode(s.cache, s.ctx);
        assertThat(s.head(0).size()).isEqualTo(4);

        AttentionScript p = new AttentionScript("lazy:budget=4,trigger=prefill");
        for (int i = 0; i < 6; i++) p.append(0).cache.advance(1);
        p.policy.afterPrefill(p.cache, p.ctx);
        for (int t = 0; t < 5; t++) {
            p.append(0).cache.advance(1);
            p.policy.afterDecode(p.cache, p.ctx);
        }
        assertThat(p.head(0).size()).isEqualTo(9);
    }

    @Test
    void specErrorsNameTheParameter() {
        assertThatThrownBy(() -> KvSpec.parse("lazy:lag=0")).isInstanceOf(KvSpecException.class)
                .hasMessageContaining("lag=0 must be >= 1");
        assertThatThrownBy(() -> KvSpec.parse("lazy:lag=two")).hasMessageContaining("lag='two' is not a whole number");
        assertThatThrownBy(() -> KvSpec.parse("lazy:window=3")).hasMessageContaining("unknown parameter 'window'")
                .hasMessageContaining("lag");
        // recent defaults to budget/8
        assertThatThrownBy(() -> KvSpec.parse("lazy:budget=16,sinks=15")).hasMessageContaining("recent (2)");
    }
}
