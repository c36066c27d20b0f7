package dev.winnow.kv.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.KvPolicy;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.kv.policy.PolicyContext;
import org.junit.jupiter.api.Test;

/** Merge-into-nearest on a hand-made head: which kept entry absorbs which evicted one, and with which weights. */
class MergeIntoNearestTest {
    static final float[][] KEYS = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0.9f, 0.1f, 0, 0}, {0.1f, 0.9f, 0, 0}, {0.8f, 0, 0.3f, 0}};
    static final float[][] VALUES = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}, {0, 0, 2, 2}};

    static HeadStore store() {
        HeadStore s = new HeadStore(4);
        for (int i = 0; i < KEYS.length; i++) s.append(KEYS[i], 0, VALUES[i], 0, i, i);
        // accumulated attention: 0.4, 0.3, 0.2, 0.1, 0.6
        s.observe(new float[] {0.4f, 0.3f, 0.2f, 0.1f, 0.6f}, 5, 1, 5);
        return s;
    }

    static float[] value(HeadStore s, int i) {
        float[] v = new float[4];
        s.value(i, v, 0);
        return v;
    }

    @Test
    void evictedValuesAreFoldedIntoTheMostSimilarKeptKeyWeightedByAttention() {
        HeadStore s = store();
        MergeIntoNearest m = new MergeIntoNearest("merge", true);
        s.evictionHandler(m::merge);
        s.retain(new int[] {0, 1});
        assertThat(s.size()).isEqualTo(2);
        // entry 0 absorbs 2 (mass 0.2) then 4 (mass 0.6): (0.4·v0 + 0.2·v2)/0.6, then (0.6·that + 0.6·v4)/1.2
        float[] v0 = value(s, 0);
        float[] first = {0.4f / 0.6f, 0, 0.2f / 0.6f, 0};
        float[] want0 = new float[4];
        for (int c = 0; c < 4; c++) want0[c] = (0.6f * first[c] + 0.6f * VALUES[4][c]) / 1.2f;
        for (int c = 0; c < 4; c++) assertThat(v0[c]).isCloseTo(want0[c], offset(1e-6f));
        // entry 1 absorbs 3: (0.3·v1 + 0.1·v3) / 0.4
        float[] v1 = value(s, 1);
        assertThat(v1).containsExactly(new float[] {0, 0.75f, 0, 0.25f}, offset(1e-6f));
        // keys, positions and statistics of the kept entries are unchanged
        float[] k = new float[4];
        s.key(1, k, 0);
        assertThat(k).containsExactly(KEYS[1]);
        assertThat(s.position(1)).isEqualTo(1);
        assertThat(s.accumulatedAttention(0)).isEqualTo(0.4f);
        // logits raised by log(mass it stands for / its own mass): 1.2 / 0.4 and 0.4 / 0.3
        assertThat(s.logitBias(0)).isCloseTo((float) Math.log(3), offset(1e-6f));
        assertThat(s.logitBias(1)).isCloseTo((float) Math.log(4 / 3.0), offset(1e-6f));
        float[] scores = new float[2];
        s.scores(new float[] {1, 0, 0, 0}, 0, 2, 1f, scores);
        assertThat(scores[0]).isCloseTo(1 + (float) Math.log(3), offset(1e-6f));
    }

    @Test
    void uniformWeightsTakeThePlainMean() {
        HeadStore s = store();
        s.evictionHandler(new MergeIntoNearest("merge:weight=uniform", false)::merge);
        s.retain(new int[] {1, 4});
        // entry 1 absorbs 3 (nearest), entry 4 absorbs 0 and 2 (cosine 0.94 and 0.93 > their similarity to key 1)
        assertThat(value(s, 0)).containsExactly(new float[] {0, 0.5f, 0, 0.5f}, offset(1e-6f));
        float[] afterFirst = {0.5f, 0, 1, 1};
        float[] want = new float[4];
        for (int c = 0; c < 4; c++) want[c] = (2 * afterFirst[c] + VALUES[2][c]) / 3;
        assertThat(value(s, 1)).containsExactly(want, offset(1e-6f));
        assertThat(s.logitBias(0)).isCloseTo((float) Math.log(2), offset(1e-6f));
        assertThat(s.logitBias(1)).isCloseTo((float) Math.log(3), offset(1e-6f));
    }

    @Test
    void theBiasCanBeCountedOrLeftOut() {
        HeadStore s = store();
        s.evictionHandler(new MergeIntoNearest("merge:bias=count", true, MergeIntoNearest.Bias.COUNT)::merge);
        s.retain(new int[] {0, 1});
        assertThat(s.logitBias(0)).isCloseTo((float) Math.log(3), offset(1e-6f));
        assertThat(s.logitBias(1)).isCloseTo((float) Math.log(2), offset(1e-6f));
        HeadStore t = store();
        t.evictionHandler(new MergeIntoNearest("merge:bias=none", true, MergeIntoNearest.Bias.NONE)::merge);
        t.retain(new int[] {0, 1});
        assertThat(t.logitBias(0)).isZero();
        assertThat(t.bytesUsed()).isLessThan(s.bytesUsed()); // the bias array costs 4 bytes per entry once used
    }

    @Test
    void theComposedPolicyInstallsTheHandlerAndStatistics() {
        KvPolicy p = KvSpec.parse("window:budget=2+merge").newPolicy();
        KvCache cache = new KvCache(1, 1, 4);
        p.attach(cache, new PolicyContext(1, 1, 1, 4, 64, (k, o, d) -> {
        }, null, null, null, PolicyContext.historyOf()));
        assertThat(cache.attentionRecorder()).isNotNull();
        HeadStore s = cache.head(0, 0);
        for (int i = 0; i < KEYS.length; i++) s.append(KEYS[i], 0, VALUES[i], 0, i, i);
        p.afterPrefill(cache, null);
        assertThat(s.size()).isEqualTo(2);
        // nothing was attended (no forward pass): masses are zero, so the merges are plain means
        // window keeps entries 3 and 4; 0, 1, 2 go to their nearest: 0 → 4 (cos 0.94), 1 → 3, 2 → 4 (cos 0.93)
        assertThat(value(s, 0)).containsExactly(new float[] {0, 0.5f, 0, 0.5f}, offset(1e-6f));
    }
}
