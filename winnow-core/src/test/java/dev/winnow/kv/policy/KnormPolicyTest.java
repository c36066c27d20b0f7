package dev.winnow.kv.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KnormPolicyTest {
    /** Key norms by position: the low-norm keys are at positions 5, 3, 2 and 1. */
    static final float[] NORMS = {5, 4, 3, 0.5f, 6, 0.2f, 7, 8};

    static AttentionScript cache(String spec) {
        AttentionScript s = new AttentionScript(spec, 2, 2);
        for (float a : NORMS) s.append(a);
        s.cache.advance(NORMS.length);
        return s;
    }

    @Test
    void keepsTheKeysWithTheSmallestNorm() {
        AttentionScript s = cache("knorm:budget=4");
        assertThat(s.cache.attentionRecorder()).as("needs no attention").isNull();
        s.compress();
        assertThat(s.positions(0)).containsExactly(1, 2, 3, 5);
        assertThat(s.positions(1)).containsExactly(1, 2, 3, 5);
    }

    @Test
    void sinksAndRecentAreKeptWhateverTheirNorm() {
        AttentionScript s = cache("knorm:budget=4,sinks=1,recent=1").compress();
        assertThat(s.positions(0)).containsExactly(0, 3, 5, 7);
    }

    @Test
    void negativeComponentsCountByMagnitude() {
        AttentionScript s = new AttentionScript("knorm:budget=2");
        for (float a : new float[] {-0.1f, 3, -5, 0.3f}) s.append(a);
        s.cache.advance(4);
        s.compress();
        assertThat(s.positions()).containsExactly(0, 3);
    }

    @Test
    void prefillTriggerLeavesDecodingAlone() {
        AttentionScript s = cache("knorm:budget=4,trigger=prefill");
        s.policy.afterPrefill(s.cache, s.ctx);
        s.append(9).cache.advance(1);
        s.policy.afterDecode(s.cache, s.ctx);
        assertThat(s.positions(0)).containsExactly(1, 2, 3, 5, 8);
    }

    @Test
    void specErrorsNameTheParameter() {
        assertThatThrownBy(() -> KvSpec.parse("knorm:recent=-1")).isInstanceOf(KvSpecException.class)
                .hasMessageContaining("recent=-1 must be >= 0");
        assertThatThrownBy(() -> KvSpec.parse("knorm:budget=4,sinks=3,recent=3")).hasMessageContaining("exceed the budget 4");
        assertThatThrownBy(() -> KvSpec.parse("knorm:ratio=2")).hasMessageContaining("ratio=2 must be between");
    }
}
