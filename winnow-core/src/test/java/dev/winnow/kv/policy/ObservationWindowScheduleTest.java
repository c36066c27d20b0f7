package dev.winnow.kv.policy;

import static dev.winnow.kv.policy.TinyCaches.positions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.OnStoriesModel;
import dev.winnow.generate.Session;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.KvStats;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The observation-window policies (SnapKV, PyramidKV, Ada-KV, ChunkKV) follow the papers'
 * schedule by default — the prompt is compressed once, after prefill, scored by its last
 * queries — and share one decode-time slack rule when decode-time compression is asked for.
 */
class ObservationWindowScheduleTest extends OnStoriesModel {
    private static final int CHUNK = 16;

    private int[] prompt() {
        int[] p = model.tokenizer().encode(PolicyOnModelTest.PROMPT + " " + PolicyOnModelTest.PROMPT);
        assertThat(p.length).isGreaterThan(4 * CHUNK);
        return p;
    }

    private static int[][] sizes(KvCache cache) {
        int[][] out = new int[cache.layers()][cache.kvHeads()];
        for (int l = 0; l < cache.layers(); l++) for (int h = 0; h < cache.kvHeads(); h++) out[l][h] = cache.head(l, h).size();
        return out;
    }

    private static long total(int[][] sizes) {
        long t = 0;
        for (int[] l : sizes) for (int s : l) t += s;
        return t;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    @ParameterizedTest
    @ValueSource(strings = {"snapkv", "pyramidkv", "adakv", "chunkkv"})
    void byDefaultThePromptIsCompressedOnceAfterPrefillAndNeverWhileDecoding(String name) {
        Session s = new Session(model, 512, CHUNK, KvSpec.parse(name + ":budget=32,window=8").newPolicy());
        int[] prompt = prompt();
        float[] logits = s.prefill(prompt);
        KvStats stats = s.cache().stats();
        // Nothing was evicted between the chunks: every head held the whole prompt once.
        assertThat(stats.maxPeakEntries()).as(name).isEqualTo(prompt.length);
        int[][] after = sizes(s.cache());
        assertThat(total(after)).as(name).isLessThan((long) prompt.length * s.cache().layers() * s.cache().kvHeads() / 2);
        for (int t = 0; t < 20; t++) logits = s.decode(argmax(logits));
        int[][] end = sizes(s.cache());
        for (int l = 0; l < end.length; l++) {
            for (int h = 0; h < end[l].length; h++) {
                assertThat(end[l][h]).as("%s layer %d head %d", name, l, h).isEqualTo(after[l][h] + 20);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"snapkv", "pyramidkv", "adakv", "chunkkv"})
    void betweenChunksIsAnExplicitTrigger(String name) {
        Session s = new Session(model, 512, CHUNK, KvSpec.parse(name + ":budget=32,window=8,trigger=chunks").newPolicy());
        int[] prompt = prompt();
        s.prefill(prompt);
        // Compressed after every chunk: no head ever held the whole prompt.
        assertThat(s.cache().stats().maxPeakEntries()).as(name).isLessThan(prompt.length);
    }

    /**
     * With {@code trigger=decode} every policy of the family compresses at the same decode
     * steps — every {@code window} (the default slack) tokens — whatever its allocator, and no
     * head grows past what it held after the last compression + window.
     */
    @ParameterizedTest
    @ValueSource(strings = {"snapkv", "pyramidkv", "adakv", "chunkkv"})
    void decodeTimeSlackIsTheWindowForEveryPolicy(String name) {
        int window = 8;
        Session s = new Session(model, 512, CHUNK, KvSpec.parse(name + ":budget=32,window=" + window + ",trigger=decode").newPolicy());
        float[] logits = s.prefill(prompt());
        int[][] base = sizes(s.cache());
        List<Integer> compressedAt = new ArrayList<>();
        int heads = s.cache().layers() * s.cache().kvHeads();
        long previous = total(base);
        for (int t = 1; t <= 3 * window; t++) {
            logits = s.decode(argmax(logits));
            int[][] now = sizes(s.cache());
            long tot = total(now);
            if (tot != previous + heads) {
                compressedAt.add(t);
                base = now;
            }
            for (int l = 0; l < now.length; l++) {
                for (int h = 0; h < now[l].length; h++) {
                    assertThat(now[l][h]).as("%s step %d layer %d head %d", name, t, l, h).isLessThan(base[l][h] + window);
                }
            }
            previous = tot;
        }
        assertThat(compressedAt).as(name).containsExactly(window, 2 * window, 3 * window);
        // The peak (after a forward pass, before the compression) is the post-compression size + window.
        int[][] peaks = s.cache().stats().peakEntries();
        for (int l = 0; l < peaks.length; l++) {
            for (int h = 0; h < peaks[l].length; h++) {
                if (peaks[l][h] < prompt().length) assertThat(peaks[l][h]).isEqualTo(base[l][h] + window);
            }
        }
    }

    @Test
    void snapKvPoolsOnlyTheEntriesOutsideTheObservationWindow() {
        // Entry 3 is the best of the prefix; the window (entries 10, 11) has still higher
        // attention. Pooling over the prefix only: entries 0..6 tie with entry 3's score (the
        // newest three win); pooling the window into the prefix (as before) would have lifted
        // entries 7..9 next to it above entry 3's neighbourhood.
        KvCache cache = TinyCaches.cache(1, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 5, 5);
        PolicyContext ctx = TinyCaches.ctx(1, 1, 1);
        KvPolicy p = KvSpec.parse("snapkv:budget=5,window=2,kernel=7").newPolicy();
        p.attach(cache, ctx);
        TinyCaches.windowQueries(cache, 1, 2);
        p.afterPrefill(cache, ctx);
        assertThat(positions(cache, 0, 0)).containsExactly(4, 5, 6, 10, 11);
    }

    @Test
    void theSlackRuleIsTheSameForEveryPolicyOfTheFamily() {
        for (String name : List.of("snapkv", "pyramidkv", "adakv", "chunkkv")) {
            BudgetedPolicy p = (BudgetedPolicy) KvSpec.parse(name + ":budget=64,window=16").newPolicy();
            assertThat(p.slack()).as(name).isEqualTo(16);
            assertThat(p.trigger()).as(name).isEqualTo(Trigger.PREFILL);
        }
    }
}
