package dev.winnow.kv.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.kv.HeadStore;
import org.junit.jupiter.api.Test;

class KeyformerPolicyTest {
    /** Twelve decoding steps in which entries 3 and 5 take most of every query's attention. */
    static AttentionScript scripted(String spec, int heads) {
        AttentionScript s = new AttentionScript(spec, 1, heads);
        for (int t = 0; t < 12; t++) {
            int n = t + 1;
            float[] w = new float[n];
            for (int i = 0; i < n; i++) w[i] = i == 3 || i == 5 ? 20 : 1;
            s.step(ScissorhandsPolicyTest.normalise(w));
        }
        return s;
    }

    @Test
    void keepsTheKeyTokensAndTheRecentWindow() {
        for (int heads : new int[] {1, 2}) {
            AttentionScript s = scripted("keyformer:budget=3,recent=1", heads).compress();
            assertThat(s.positions()).as("group %d", heads).containsExactly(3, 5, 11);
        }
    }

    @Test
    void eachQueryAddsAGumbelSoftmaxThatSumsToOne() {
        AttentionScript s = scripted("keyformer:budget=64", 1);
        HeadStore store = s.head(0);
        double total = 0;
        for (int i = 0; i < store.size(); i++) {
            assertThat(store.extra(i)).isPositive();
            total += store.extra(i);
        }
        assertThat(total).isCloseTo(12, within(1e-4));
        // the noise makes it differ from the plain accumulated attention (H2O's score)
        AttentionScript h2o = new AttentionScript("h2o:budget=64");
        for (int t = 0; t < 12; t++) {
            int n = t + 1;
            float[] w = new float[n];
            for (int i = 0; i < n; i++) w[i] = i == 3 || i == 5 ? 20 : 1;
            h2o.step(ScissorhandsPolicyTest.normalise(w));
        }
        assertThat(store.extra(3)).isNotEqualTo(h2o.head(0).accumulatedAttention(3));
    }

    @Test
    void theSameSeedGivesTheSameScoresAndAnotherSeedDifferentOnes() {
        float[] a = extras(scripted("keyformer:budget=64,seed=7", 1));
        float[] b = extras(scripted("keyformer:budget=64,seed=7", 1));
        float[] c = extras(scripted("keyformer:budget=64,seed=8", 1));
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void temperatureGrowsWithEachGeneratedTokenAndResetsAfterAPrompt() {
        KeyformerScorer scorer = new KeyformerScorer(0, 1.0, 0.01);
        assertThat(scorer.tau(100)).isEqualTo(1.0);
        scorer.promptEnded(20);
        assertThat(scorer.tau(19)).isEqualTo(1.0);
        assertThat(scorer.tau(20)).isCloseTo(1.01, within(1e-12));
        assertThat(scorer.tau(29)).isCloseTo(1.10, within(1e-12));
        // through the policy: afterPrefill marks the end of the prompt
        AttentionScript s = new AttentionScript("keyformer:budget=8,tau=2,tau_delta=0.5");
        s.append(0).append(0).cache.advance(2);
        s.policy.afterPrefill(s.cache, s.ctx);
        KeyformerScorer k = (KeyformerScorer) s.policy.scorer();
        assertThat(k.tau(1)).isEqualTo(2.0);
        assertThat(k.tau(2)).isEqualTo(2.5);
        s.policy.attach(s.cache, s.ctx);
        assertThat(k.tau(2)).isEqualTo(2.0);
    }

    @Test
    void defaultsAndSpecErrors() {
        // recent defaults to 30% of the budget: 3 of 10, so sinks=8 does not fit
        assertThatThrownBy(() -> KvSpec.parse("keyformer:budget=10,sinks=8")).hasMessageContaining("recent (3)");
        assertThatThrownBy(() -> KvSpec.parse("keyformer:tau=0")).isInstanceOf(KvSpecException.class)
                .hasMessageContaining("tau=0 must be between");
        assertThatThrownBy(() -> KvSpec.parse("keyformer:tau_delta=fast"))
                .hasMessageContaining("tau_delta='fast' is not a number");
        assertThatThrownBy(() -> KvSpec.parse("keyformer:tau_delta=-1")).hasMessageContaining("tau_delta=-1 must be between");
        assertThatThrownBy(() -> KvSpec.parse("keyformer:seed=1.5")).hasMessageContaining("seed='1.5' is not a whole number");
    }

    static float[] extras(AttentionScript s) {
        HeadStore store = s.head(0);
        float[] e = new float[store.size()];
        for (int i = 0; i < e.length; i++) e[i] = store.extra(i);
        return e;
    }
}
