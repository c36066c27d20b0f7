package dev.winnow.kv.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KvSpecTest {
    /** Fuzzing finding: the message quoted the spec's control characters raw (terminal escapes). */
    @Test
    void controlCharactersOfABadSpecAreEscapedInTheMessage() {
        assertThatThrownBy(() -> KvSpec.parse("\u007f\u001b[31mred").newPolicy()).isInstanceOf(KvSpecException.class)
                .hasMessageContaining("\\x7f\\x1b[31mred").hasMessageNotContaining("\u001b").hasMessageNotContaining("\u007f");
    }

    /**
     * Fuzzing finding (CI, 2026-12-05): a 256-character spec of control characters escaped to six
     * times its length, a 2,004-character message. Messages are now cut after escaping.
     */
    @Test
    void escapedMessagesStayShort() {
        String spec = "8" + "\u0000".repeat(120) + ";" + "\u0000".repeat(120) + "r";
        assertThatThrownBy(() -> KvSpec.parse(spec).newPolicy()).isInstanceOf(KvSpecException.class)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(1_600).doesNotContain("\u0000"));
        // The cut itself: 1,000 control characters escape to 4,000 characters.
        String message = new KvSpecException("bad: " + "\u0001".repeat(1000)).getMessage();
        assertThat(message).hasSizeLessThan(1_600).startsWith("bad: \\x01").endsWith("...(cut: 4005 chars)");
    }

    @Test
    void parsesNameAndParameters() {
        KvSpec s = KvSpec.parse(" snapkv:budget=256, window=16 ,kernel=5 ");
        assertThat(s.name()).isEqualTo("snapkv");
        assertThat(s.params()).containsEntry("budget", "256").containsEntry("window", "16").containsEntry("kernel", "5");
        assertThat(s.newPolicy().spec()).isEqualTo("snapkv:budget=256,window=16,kernel=5");
        assertThat(KvSpec.parse("full").isFull()).isTrue();
        assertThat(KvSpec.parse("h2o:ratio=0.75").newPolicy()).isInstanceOf(EvictionPolicy.class);
    }

    /** Fuzzing finding: a 2,000-character spec was quoted whole in the message. */
    @Test
    void overlongSpecIsRefusedWithAShortMessage() {
        String spec = "h2o:budget=" + "9".repeat(3000);
        assertThatThrownBy(() -> KvSpec.parse(spec)).isInstanceOf(KvSpecException.class)
                .hasMessageStartingWith("KV spec of 3011 characters is too long (at most 256): 'h2o:budget=999")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
        assertThat(KvSpec.parse("snapkv:budget=256,window=16,kernel=5+int8").components()).hasSize(2);
    }

    @Test
    void unknownPolicyListsTheValidOnes() {
        assertThatThrownBy(() -> KvSpec.parse("snapkvv:budget=3")).isInstanceOf(KvSpecException.class)
                .hasMessageContaining("unknown KV policy 'snapkvv'").hasMessageContaining("snapkv").hasMessageContaining("h2o");
    }

    @Test
    void badNumbersAndBudgetsAreNamed() {
        assertThatThrownBy(() -> KvSpec.parse("h2o:budget=abc")).hasMessageContaining("budget='abc' is not a whole number");
        assertThatThrownBy(() -> KvSpec.parse("h2o:budget=0")).hasMessageContaining("budget=0 must be >= 1");
        assertThatThrownBy(() -> KvSpec.parse("h2o:budget=-5")).hasMessageContaining("must be >= 1");
        assertThatThrownBy(() -> KvSpec.parse("h2o:ratio=1.5")).hasMessageContaining("ratio=1.5 must be between");
        assertThatThrownBy(() -> KvSpec.parse("h2o:budget=8,ratio=0.5")).hasMessageContaining("not both");
    }

    @Test
    void sinksLargerThanTheBudgetAreRejected() {
        assertThatThrownBy(() -> KvSpec.parse("h2o:budget=8,sinks=6,recent=4")).hasMessageContaining("exceed the budget 8");
        assertThatThrownBy(() -> KvSpec.parse("snapkv:budget=8,window=16")).hasMessageContaining("window (16) exceeds the budget 8");
    }

    @Test
    void unknownParameterListsTheValidOnes() {
        assertThatThrownBy(() -> KvSpec.parse("h2o:budget=8,windw=2")).hasMessageContaining("unknown parameter 'windw'")
                .hasMessageContaining("recent");
    }

    @Test
    void malformedSpecs() {
        assertThatThrownBy(() -> KvSpec.parse("")).hasMessageContaining("empty KV spec");
        assertThatThrownBy(() -> KvSpec.parse("h2o:budget")).hasMessageContaining("should be key=value");
        assertThatThrownBy(() -> KvSpec.parse("h2o:budget=")).hasMessageContaining("has no value");
        assertThatThrownBy(() -> KvSpec.parse("h2o:budget=4,budget=5")).hasMessageContaining("given twice");
        assertThatThrownBy(() -> KvSpec.parse("h2o+snapkv")).hasMessageContaining("one policy per spec");
    }
}
