package dev.winnow.kv.policy;

import static dev.winnow.kv.policy.TinyCaches.concat;
import static dev.winnow.kv.policy.TinyCaches.positions;
import static dev.winnow.kv.policy.TinyCaches.range;
import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code ratio=} against {@code budget=} (issue #20 item 2, issue #19): the recent window is the
 * same share of the budget however the budget is given, and a ratio is a fraction of the tokens
 * the sequence holds at every compression, not of the prompt once.
 */
class RatioBudgetTest {
    /**
     * Twenty entries; the older ones got all the attention (entry i: 20 − i), the five newest none.
     * At budget 10, H2O's recent half keeps 15…19 and the five heaviest of the rest, 0…4.
     */
    private static int[] survivors(String spec) {
        KvCache cache = TinyCaches.plain(1, 1, 20);
        KvPolicy p = KvSpec.parse(spec).newPolicy();
        PolicyContext ctx = TinyCaches.ctx(1, 1, 1);
        p.attach(cache, ctx);
        HeadStore s = cache.head(0, 0);
        for (int q = 0; q < 5; q++) {
            float[] probs = new float[20];
            for (int i = 0; i < 15; i++) probs[i] = (20 - i) / 300f;
            cache.attentionRecorder().record(0, 0, s, probs, 20, 1, q);
        }
        p.afterDecode(cache, ctx);
        return positions(cache, 0, 0);
    }

    @Test
    void h2oRatioKeepsTheRecentHalf() {
        int[] expected = concat(range(0, 5), range(15, 20));
        assertThat(survivors("h2o:budget=10")).containsExactly(expected);
        assertThat(survivors("h2o:ratio=0.5")).containsExactly(expected);
    }

    @ParameterizedTest
    @CsvSource({"scissorhands, 1", "keyformer, 3", "lazy, 1"})
    void recentShareDoesNotDependOnHowTheBudgetIsGiven(String name, int recent) {
        // budget 10: recent = 10/8 (scissorhands, lazy) or 10*3/10 (keyformer); the newest must survive
        int[] byRatio = survivors(name + ":ratio=0.5");
        assertThat(byRatio).hasSize(10);
        assertThat(byRatio).endsWith(range(20 - recent, 20));
        assertThat(byRatio).containsExactly(survivors(name + ":budget=10"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"tova:ratio=0.5 | 0.5", "h2o:ratio=0.75 | 0.75", "window:ratio=0.5 | 0.5", "snapkv:ratio=0.5,window=2,trigger=always | 0.5"})
    void ratioIsAFractionOfTheSequenceAtEveryCompression(String spec, double ratio) {
        KvCache cache = TinyCaches.plain(1, 2, 5);
        cache.advance(5); // a 5-token prompt
        KvPolicy p = KvSpec.parse(spec).newPolicy();
        PolicyContext ctx = TinyCaches.ctx(1, 2, 2);
        p.attach(cache, ctx);
        p.afterPrefill(cache, ctx);
        int slack = p instanceof BudgetedPolicy b ? b.slack() : 0;
        for (int t = 6; t <= 200; t++) {
            for (int h = 0; h < 2; h++) {
                cache.head(0, h).append(new float[4], 0, new float[4], 0, t - 1, t - 1);
            }
            cache.advance(1);
            p.afterDecode(cache, ctx);
            int expected = (int) Math.ceil((1 - ratio) * t);
            for (int h = 0; h < 2; h++) {
                assertThat(cache.head(0, h).size()).as("%s after %d tokens", spec, t)
                        .isBetween(expected, expected + slack);
            }
        }
        assertThat(cache.head(0, 0).size()).isGreaterThanOrEqualTo((int) Math.ceil((1 - ratio) * 200));
    }
}
