package dev.winnow.eval.task;

import static dev.winnow.eval.task.RecallGenerator.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.eval.SharedData;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The generator reproduces the layout of {@code recall-examples.json}, over many seeds. */
class RecallGeneratorTest {
    /** Asserts the MQAR layout of ../shared/docs/recall-task.md on one sequence. */
    static void assertLayout(RecallSequence s) {
        int[] t = s.tokens();
        assertThat(t).hasSize(512);
        assertThat(t[0]).isEqualTo(BOS);
        Map<Integer, Integer> valueOf = new HashMap<>();
        for (int i = 0; i < PAIRS; i++) {
            int k = t[1 + 2 * i], v = t[2 + 2 * i];
            assertThat(k).as("key at %d", 1 + 2 * i).isBetween(10, 137);
            assertThat(v).as("value at %d", 2 + 2 * i).isBetween(200, 327);
            assertThat(valueOf.put(k, v)).as("key %d repeated", k).isNull();
        }
        for (int p = 129; p <= 447; p++) assertThat(t[p]).as("filler at %d", p).isBetween(340, 499);
        assertThat(s.queryStart()).isEqualTo(448);
        int[] q = s.queryPositions(), expected = s.expected();
        assertThat(q).hasSize(32);
        Set<Integer> asked = new HashSet<>();
        for (int j = 0; j < 32; j++) {
            assertThat(q[j]).isEqualTo(448 + 2 * j);
            int key = t[q[j]];
            assertThat(valueOf).as("query %d asks key %d, which is not in the pairs", j, key).containsKey(key);
            assertThat(asked.add(key)).as("key %d asked twice", key).isTrue();
            // the answer comes from the pairs region, and is the token after the query
            assertThat(expected[j]).isEqualTo(valueOf.get(key)).isEqualTo(t[q[j] + 1]);
        }
    }

    @Test
    void theReferenceSequencesHaveTheLayoutTheGeneratorIsCheckedAgainst() {
        List<RecallSequence> ref = RecallExamples.read(SharedData.path("reference/recall-examples.json")).sequences();
        assertThat(ref).hasSize(20);
        ref.forEach(RecallGeneratorTest::assertLayout);
    }

    @Test
    void everySeedGivesTheReferenceLayout() {
        for (long seed = 0; seed < 200; seed++) {
            for (RecallSequence s : RecallGenerator.generate(seed, 3)) assertLayout(s);
        }
    }

    @Test
    void theRangesAreCoveredNotJustRespected() {
        // over many sequences every key, value and filler id occurs: the draws span their ranges
        Set<Integer> keys = new HashSet<>(), values = new HashSet<>(), filler = new HashSet<>();
        for (RecallSequence s : RecallGenerator.generate(1, 100)) {
            int[] t = s.tokens();
            for (int i = 0; i < PAIRS; i++) {
                keys.add(t[1 + 2 * i]);
                values.add(t[2 + 2 * i]);
            }
            for (int p = 129; p <= 447; p++) filler.add(t[p]);
        }
        assertThat(keys).hasSize(128);
        assertThat(values).hasSize(128);
        assertThat(filler).hasSize(160);
    }

    @Test
    void aSeedGivesTheSameSequencesAndAnotherSeedOthers() {
        List<RecallSequence> a = RecallGenerator.generate(7, 5);
        assertThat(RecallGenerator.generate(7, 5)).isEqualTo(a);
        assertThat(RecallGenerator.generate(8, 5)).doesNotContainAnyElementsOf(a);
        // sequences in a set differ, and a longer set starts with the shorter one
        assertThat(new HashSet<>(a)).hasSize(5);
        assertThat(RecallGenerator.generate(7, 8).subList(0, 5)).isEqualTo(a);
    }

    @Test
    void theProtocolsPutTheSequenceToTheCacheAsDocumented() {
        RecallSequence s = RecallGenerator.generate(3, 1).getFirst();
        TokenProbe agnostic = RecallProtocol.AGNOSTIC.probe(s);
        assertThat(agnostic.context()).hasSize(448).isEqualTo(java.util.Arrays.copyOf(s.tokens(), 448));
        assertThat(agnostic.continuation()).hasSize(64);
        assertThat(agnostic.scored()).startsWith(0, 2, 4).endsWith(62);
        assertThat(agnostic.expected()).isEqualTo(s.expected());

        TokenProbe aware = RecallProtocol.AWARE.probe(s);
        assertThat(aware.context()).hasSize(512);
        assertThat(aware.continuation()).isEqualTo(agnostic.continuation());
        assertThat(aware.scored()).isEqualTo(agnostic.scored());
        int[] t = s.tokens();
        for (int p = 0; p < 512; p++) {
            boolean answerSlot = p >= 448 && (p - 448) % 2 == 1;
            assertThat(aware.context()[p]).as("position %d", p).isEqualTo(answerSlot ? RecallProtocol.MASK : t[p]);
        }
    }
}
