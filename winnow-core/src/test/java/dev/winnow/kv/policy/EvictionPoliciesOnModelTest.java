package dev.winnow.kv.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.OnStoriesModel;
import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Session;
import dev.winnow.generate.TokenListener;
import dev.winnow.kv.KvStats;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TOVA, Scissorhands, Keyformer, Knorm, random, ZipCache and LazyEviction on the real stories260K
 * model, beyond what {@link PolicyOnModelTest} checks for every policy: lagged eviction, and
 * reproducibility of the seeded policies although attention is recorded in parallel over KV heads.
 */
class EvictionPoliciesOnModelTest extends OnStoriesModel {

    @Test
    void lazyEvictionLetsHeadsExceedTheBudgetForLagSteps() {
        Session s = new Session(model, 512, 16, KvSpec.parse("lazy:budget=32,lag=8").newPolicy());
        int[] prompt = model.tokenizer().encode(PolicyOnModelTest.PROMPT);
        s.prefill(prompt);
        assertThat(s.cache().stats().maxEntries()).isEqualTo(32);
        List<Integer> sizes = new ArrayList<>();
        for (int t = 0; t < 18; t++) {
            s.decode(prompt[t]);
            KvStats stats = s.cache().stats();
            assertThat(stats.minEntries()).isEqualTo(stats.maxEntries());
            sizes.add(stats.maxEntries());
        }
        assertThat(sizes).containsExactly(33, 34, 35, 36, 37, 38, 39, 32, 33, 34, 35, 36, 37, 38, 39, 32, 33, 34);
    }

    @Test
    void seededPoliciesAreReproducible() {
        for (String spec : List.of("keyformer:budget=32,seed=5", "random:budget=32,seed=5")) {
            int[][] first = null;
            for (int run = 0; run < 2; run++) {
                Session s = new Session(model, 512, 16, KvSpec.parse(spec).newPolicy());
                Generation g = s.generate(model.tokenizer().encode(PolicyOnModelTest.PROMPT),
                        GenerationParams.builder().temperature(0.7f).seed(3).maxTokens(40).build(), TokenListener.NONE);
                assertThat(g.tokens()).hasSize(40);
                int[][] kept = positions(s);
                if (first == null) first = kept;
                else assertThat(kept).as(spec).isDeepEqualTo(first);
            }
        }
    }

    @Test
    void tovaKeepsTheSameTokensInEveryHeadOfALayer() {
        Session s = new Session(model, 512, 16, KvSpec.parse("tova:budget=32").newPolicy());
        s.generate(model.tokenizer().encode(PolicyOnModelTest.PROMPT),
                GenerationParams.builder().temperature(0.7f).seed(3).maxTokens(30).build(), TokenListener.NONE);
        int[][] kept = positions(s);
        int heads = s.cache().kvHeads();
        for (int l = 0; l < s.cache().layers(); l++) {
            for (int h = 0; h < heads; h++) {
                assertThat(kept[l * heads + h]).as("layer %d head %d", l, h).hasSize(32).containsExactly(kept[l * heads]);
            }
        }
        // and the heads of a layer do differ under the per-group rule (the probabilities differ)
        Session g = new Session(model, 512, 16, KvSpec.parse("tova:budget=32,heads=group").newPolicy());
        g.generate(model.tokenizer().encode(PolicyOnModelTest.PROMPT),
                GenerationParams.builder().temperature(0.7f).seed(3).maxTokens(30).build(), TokenListener.NONE);
        int[][] own = positions(g);
        if (heads > 1) {
            boolean differ = false;
            for (int i = 0; i < own.length; i++) differ |= !java.util.Arrays.equals(own[i], own[i - i % heads]);
            assertThat(differ).isTrue();
        }
    }

    static int[][] positions(Session s) {
        var cache = s.cache();
        int[][] out = new int[cache.layers() * cache.kvHeads()][];
        for (int l = 0; l < cache.layers(); l++) {
            for (int h = 0; h < cache.kvHeads(); h++) {
                var store = cache.head(l, h);
                int[] p = new int[store.size()];
                for (int i = 0; i < p.length; i++) p[i] = store.position(i);
                out[l * cache.kvHeads() + h] = p;
            }
        }
        return out;
    }
}
