package dev.winnow.kv.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RandomPolicyTest {
    static int[] survivors(String spec, int entries) {
        AttentionScript s = new AttentionScript(spec);
        for (int i = 0; i < entries; i++) s.append(0);
        s.cache.advance(entries);
        return s.compress().positions();
    }

    @Test
    void theSameSeedKeepsTheSameEntries() {
        int[] a = survivors("random:budget=8,seed=42", 64);
        assertThat(a).hasSize(8).doesNotHaveDuplicates();
        assertThat(survivors("random:budget=8,seed=42", 64)).containsExactly(a);
        assertThat(survivors("random:budget=8", 64)).containsExactly(survivors("random:budget=8,seed=0", 64));
    }

    @Test
    void anotherSeedKeepsOtherEntries() {
        // two seeds picking the same 8 of 64 entries: probability 1 / C(64, 8) ≈ 2e-10
        assertThat(survivors("random:budget=8,seed=1", 64)).isNotEqualTo(survivors("random:budget=8,seed=2", 64));
        assertThat(survivors("random:budget=8,seed=-1", 64)).isNotEqualTo(survivors("random:budget=8,seed=1", 64));
    }

    @Test
    void everyEntryIsEquallyLikelyToSurvive() {
        int n = 16, budget = 4, seeds = 4000;
        int[] kept = new int[n];
        for (int seed = 0; seed < seeds; seed++) {
            for (int p : survivors("random:budget=" + budget + ",seed=" + seed, n)) kept[p]++;
        }
        // expected 1000 each; binomial sd ≈ 27
        for (int p = 0; p < n; p++) assertThat(kept[p]).as("position %d", p).isBetween(880, 1120);
    }

    @Test
    void protectedEntriesStay() {
        int[] kept = survivors("random:budget=6,sinks=2,recent=2,seed=3", 32);
        assertThat(kept).hasSize(6).startsWith(0, 1).endsWith(30, 31);
    }

    @Test
    void specErrorsNameTheParameter() {
        assertThatThrownBy(() -> KvSpec.parse("random:seed=abc")).isInstanceOf(KvSpecException.class)
                .hasMessageContaining("seed='abc' is not a whole number");
        assertThatThrownBy(() -> KvSpec.parse("random:budget=0")).hasMessageContaining("budget=0 must be >= 1");
    }
}
