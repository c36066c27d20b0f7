package dev.winnow.kv.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ZipCachePolicyTest {
    /**
     * Eight decoding steps. Entry 1 gets 0.3 from each of its 7 queries (sum 2.1, mean 0.3);
     * entry 6 gets 0.6 from each of its 2 (sum 1.2, mean 0.6); entry 0 takes the rest (sum 4.7 over
     * 8 queries, mean 0.5875); the others get nothing.
     */
    static AttentionScript scripted(String spec) {
        AttentionScript s = new AttentionScript(spec);
        for (int t = 0; t < 8; t++) {
            float[] p = new float[t + 1];
            if (t >= 1) p[1] = 0.3f;
            if (t >= 6) p[6] = 0.6f;
            p[0] = 1 - (t >= 1 ? 0.3f : 0) - (t >= 6 ? 0.6f : 0);
            s.step(p);
        }
        return s;
    }

    @Test
    void normalisesAccumulatedAttentionByTheQueriesThatSawTheEntry() {
        assertThat(scripted("zipcache:budget=1").compress().positions()).containsExactly(6);
        assertThat(scripted("zipcache:budget=2").compress().positions()).containsExactly(0, 6);
        assertThat(scripted("zipcache:budget=3").compress().positions()).containsExactly(0, 1, 6);
        // the unattended entries tie at 0: the newest wins
        assertThat(scripted("zipcache:budget=4").compress().positions()).containsExactly(0, 1, 6, 7);
    }

    @Test
    void h2oWithoutTheNormalisationPrefersTheOldEntry() {
        assertThat(scripted("h2o:budget=2,recent=0").compress().positions()).containsExactly(0, 1);
    }

    @Test
    void scoresAreTheMeanAttentionPerQuery() {
        AttentionScript s = scripted("zipcache:budget=8");
        float[] out = new float[8];
        s.policy.scorer().score(s.cache, 0, 0, s.head(0), s.ctx, out);
        assertThat(out[0]).isCloseTo(4.7f / 8, org.assertj.core.api.Assertions.within(1e-5f));
        assertThat(out[1]).isCloseTo(0.3f, org.assertj.core.api.Assertions.within(1e-5f));
        assertThat(out[6]).isCloseTo(0.6f, org.assertj.core.api.Assertions.within(1e-5f));
        assertThat(out[7]).isZero();
    }

    @Test
    void recentWindowIsProtected() {
        assertThat(scripted("zipcache:budget=3,recent=2").compress().positions()).containsExactly(0, 6, 7);
    }

    @Test
    void specErrorsNameTheParameter() {
        assertThatThrownBy(() -> KvSpec.parse("zipcache:budget=4,recent=5")).isInstanceOf(KvSpecException.class)
                .hasMessageContaining("exceed the budget 4");
        assertThatThrownBy(() -> KvSpec.parse("zipcache:recent=1e3")).hasMessageContaining("recent='1e3' is not a whole number");
    }
}
