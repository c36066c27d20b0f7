package dev.winnow.kv.policy;

import static dev.winnow.kv.policy.AttentionScript.peaks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TovaPolicyTest {
    static final float[] LAST = {0.01f, 0.01f, 0.10f, 0.40f, 0.01f, 0.30f, 0.02f, 0.15f};

    /** Eight entries; an earlier query loved entry 1 (H2O would keep it), the last query decides. */
    static AttentionScript scripted(String spec, int heads) {
        AttentionScript s = new AttentionScript(spec, 1, heads);
        for (int i = 0; i < 8; i++) s.append(0);
        s.query(0, peaks(7, 0.9f, 1));
        s.query(0, LAST);
        s.cache.advance(8);
        return s;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void keepsWhatTheLastQueryAttendsTo(int queryHeadsPerKvHead) {
        AttentionScript s = scripted("tova:budget=4", queryHeadsPerKvHead);
        assertThat(s.head(0).lastAttention(1)).as("mean over the group").isEqualTo(0.01f);
        s.compress();
        assertThat(s.positions()).containsExactly(2, 3, 5, 7);
    }

    @Test
    void recentWindowIsProtected() {
        AttentionScript s = scripted("tova:budget=4,recent=2", 1).compress();
        assertThat(s.positions()).containsExactly(3, 5, 6, 7);
    }

    @Test
    void evictsOneEntryPerDecodedToken() {
        AttentionScript s = scripted("tova:budget=4", 1).compress();
        // Token 8 arrives (held: positions 2, 3, 5, 7, 8); the last query now ignores position 2.
        s.append(0).query(0, 0.01f, 0.30f, 0.20f, 0.09f, 0.40f).cache.advance(1);
        s.policy.afterDecode(s.cache, s.ctx);
        assertThat(s.positions()).containsExactly(3, 5, 7, 8);
    }

    @Test
    void averagesOverTheHeadsOfTheLayerSoEveryHeadKeepsTheSameTokens() {
        float[] head0 = {0.05f, 0.50f, 0.30f, 0.05f, 0.02f, 0.04f, 0.02f, 0.02f};
        float[] head1 = {0.05f, 0.02f, 0.02f, 0.05f, 0.02f, 0.44f, 0.38f, 0.02f};
        for (String mode : new String[] {"layer", "group"}) {
            AttentionScript s = new AttentionScript("tova:budget=4,heads=" + mode, 2, 2);
            for (int i = 0; i < 8; i++) s.append(0);
            s.query(0, head0).query(1, head1);
            s.cache.advance(8);
            s.compress();
            if (mode.equals("layer")) {
                // mean: 1 → .26, 5 → .24, 6 → .20, 2 → .16, the rest ≤ .05
                assertThat(s.positions(0)).containsExactly(1, 2, 5, 6);
                assertThat(s.positions(1)).containsExactly(1, 2, 5, 6);
            } else {
                // each head alone; ties (0 and 3 at .05) go to the newer entry
                assertThat(s.positions(0)).containsExactly(0, 1, 2, 3);
                assertThat(s.positions(1)).containsExactly(0, 3, 5, 6);
            }
        }
    }

    @Test
    void headsHoldingOtherPositionsUseTheirOwnScores() {
        AttentionScript s = new AttentionScript("tova:budget=4", 2, 2);
        for (int i = 0; i < 8; i++) s.append(0);
        s.query(0, 0.05f, 0.50f, 0.30f, 0.05f, 0.02f, 0.04f, 0.02f, 0.02f);
        s.query(1, 0.05f, 0.02f, 0.02f, 0.05f, 0.02f, 0.44f, 0.38f, 0.02f);
        s.cache.advance(8);
        s.head(1).retain(new int[] {1, 2, 3, 4, 5, 6, 7});
        s.compress();
        assertThat(s.positions(0)).containsExactly(0, 1, 2, 3);
        assertThat(s.positions(1)).containsExactly(3, 5, 6, 7);
    }

    @Test
    void specErrorsNameTheParameter() {
        assertThatThrownBy(() -> KvSpec.parse("tova:heads=all")).isInstanceOf(KvSpecException.class)
                .hasMessageContaining("heads='all' is not one of layer, group");
        assertThatThrownBy(() -> KvSpec.parse("tova:recent=x")).hasMessageContaining("recent='x' is not a whole number");
        assertThatThrownBy(() -> KvSpec.parse("tova:budget=4,recent=5")).hasMessageContaining("exceed the budget 4");
        assertThatThrownBy(() -> KvSpec.parse("tova:trigger=never")).hasMessageContaining("trigger='never'");
    }
}
