package dev.winnow.kv.sparse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.kv.KvCache;
import dev.winnow.kv.codec.ComposedPolicy;
import dev.winnow.kv.policy.KvSpec;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenSelectAttentionTest {
    static final int HS = 8;

    static TokenSelectAttention attached(String spec, KvCache cache) {
        TokenSelectAttention ts = ((ComposedPolicy) KvSpec.parse(spec).newPolicy()).component(TokenSelectAttention.class);
        ts.attach(cache, QuestAttentionTest.ctx());
        return ts;
    }

    /** A query at angle θ from (1, 0, …) in the plane of the first two channels, scaled. */
    static float[] query(double theta, float scale) {
        float[] q = new float[HS];
        q[0] = (float) (scale * Math.cos(theta));
        q[1] = (float) (scale * Math.sin(theta));
        return q;
    }

    @Test
    void reusesTheSelectionOnlyWhileConsecutiveQueriesAreAboveTheThreshold() {
        KvCache cache = QuestAttentionTest.randomCache(new Random(4), 300);
        TokenSelectAttention ts = attached("tokenselect:budget=32,threshold=0.9", cache);
        Selection sel = new Selection(1);
        ts.select(0, query(0, 3), cache, sel);
        assertThat(ts.computed()).isEqualTo(1);
        int[] first = Arrays.copyOf(sel.indices(0), sel.count(0));

        ts.select(0, query(Math.acos(0.95), 5), cache, sel); // cosine 0.95 ≥ 0.9: reused
        assertThat(ts.lastSimilarity()).isCloseTo(0.95, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(ts.reused()).isEqualTo(1);
        assertThat(ts.computed()).isEqualTo(1);
        assertThat(Arrays.copyOf(sel.indices(0), sel.count(0))).containsExactly(first);

        // cosine with the previous query (not the one that made the selection): 0.85 < 0.9
        ts.select(0, query(Math.acos(0.95) + Math.acos(0.85), 5), cache, sel);
        assertThat(ts.lastSimilarity()).isCloseTo(0.85, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(ts.reused()).isEqualTo(1);
        assertThat(ts.computed()).isEqualTo(2);
    }

    @Test
    void selectsTheEntriesWithTheHighestScores() {
        KvCache cache = QuestAttentionTest.randomCache(new Random(9), 200);
        TokenSelectAttention ts = attached("tokenselect:budget=20,sinks=0,recent=0,threshold=1", cache);
        float[] q = query(0.3, 2);
        Selection sel = new Selection(1);
        ts.select(0, q, cache, sel);
        float[] scores = new float[200];
        cache.head(0, 0).scores(q, 0, 200, 1, scores);
        Integer[] order = new Integer[200];
        for (int i = 0; i < 200; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
        int[] expected = Arrays.stream(order, 0, 20).mapToInt(Integer::intValue).sorted().toArray();
        assertThat(Arrays.copyOf(sel.indices(0), sel.count(0))).containsExactly(expected);
    }
}
