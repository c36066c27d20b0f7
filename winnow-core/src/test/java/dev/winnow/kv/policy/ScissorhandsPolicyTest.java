package dev.winnow.kv.policy;

import static dev.winnow.kv.policy.AttentionScript.peaks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ScissorhandsPolicyTest {
    /**
     * Twelve decoding steps; entry 3 is important to every query, entry 1 only to queries 1–4;
     * the rest never (attention below 1/n). History 4 = decay 0.75 per query.
     */
    @Test
    void keepsThePersistentlyImportantAndForgetsPastImportance() {
        AttentionScript s = new AttentionScript("scissorhands:budget=4,history=4,recent=1");
        for (int t = 0; t < 12; t++) {
            int n = t + 1;
            float[] w = new float[n];
            for (int i = 0; i < n; i++) w[i] = i == 3 ? 10 : i == 1 ? (t <= 4 ? 10 : 0.1f) : 1;
            s.step(normalise(w));
        }
        // Unimportance counts: entry 3 → 0; entry 1 → 7 recent misses (≈3.47 decayed); entry i ≥ 4
        // missed every query since its insertion: 11 → 1, 10 → 1.75, 9 → 2.31, 8 → 2.73, …
        assertThat(s.head(0).extra(3)).isZero();
        assertThat(s.head(0).extra(1)).isCloseTo(4 * (1 - (float) Math.pow(0.75, 7)), within(1e-5f));
        assertThat(s.head(0).extra(11)).isEqualTo(1f);
        s.compress();
        assertThat(s.positions()).containsExactly(3, 9, 10, 11);
    }

    /**
     * Three entries, ten queries: entry 2 is important to queries 0–6, entry 1 to queries 7–9,
     * entry 0 never. A short history remembers only that entry 1 is important now; a long one
     * counts entry 1's seven earlier misses.
     */
    @Test
    void theHistoryWindowDecidesWhichImportanceCounts() {
        for (int history : new int[] {2, 1000}) {
            AttentionScript s = new AttentionScript("scissorhands:budget=1,history=" + history);
            s.append(0).append(0).append(0);
            for (int q = 0; q < 10; q++) {
                s.query(0, peaks(3, 0.6f, q < 7 ? 2 : 1));
                s.cache.advance(1);
            }
            s.compress();
            assertThat(s.positions()).as("history %d", history).containsExactly(history == 2 ? 1 : 2);
        }
    }

    @Test
    void defaultsAndSpecErrors() {
        assertThat(KvSpec.parse("scissorhands:budget=64").newPolicy().spec()).isEqualTo("scissorhands:budget=64");
        // recent defaults to budget/8, so sinks=57 leaves no room: 57 + 8 > 64
        assertThatThrownBy(() -> KvSpec.parse("scissorhands:budget=64,sinks=57")).hasMessageContaining("recent (8)");
        assertThatThrownBy(() -> KvSpec.parse("scissorhands:history=0")).isInstanceOf(KvSpecException.class)
                .hasMessageContaining("history=0 must be >= 1");
        assertThatThrownBy(() -> KvSpec.parse("scissorhands:history=long"))
                .hasMessageContaining("history='long' is not a whole number");
        assertThatThrownBy(() -> KvSpec.parse("scissorhands:windw=3")).hasMessageContaining("unknown parameter 'windw'")
                .hasMessageContaining("history");
    }

    static float[] normalise(float[] w) {
        float sum = 0;
        for (float x : w) sum += x;
        float[] p = new float[w.length];
        for (int i = 0; i < w.length; i++) p[i] = w[i] / sum;
        return p;
    }
}
