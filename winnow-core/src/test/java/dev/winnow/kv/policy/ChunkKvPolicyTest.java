package dev.winnow.kv.policy;

import static dev.winnow.kv.policy.TinyCaches.positions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.kv.KvCache;
import org.junit.jupiter.api.Test;

class ChunkKvPolicyTest {
    // Chunks of 3 over entries 0..13 (14, 15 are the window). Attention ∝ e^key:
    // [0,1,2] 3e^4 ≈ 164; [3,4,5] 2e^2 + e^4.8 ≈ 136; [6,7,8] 3e^5 ≈ 445; [9,10,11] 2e + e^4.5 ≈ 96; [12,13] 2e^2.5 ≈ 24.
    static final float[] KEYS = {4, 4, 4, 2, 4.8f, 2, 5, 5, 5, 1, 4.5f, 1, 2.5f, 2.5f, 0, 0};

    @Test
    void keepsWholeChunksByScoreAndCutsTheLastToFitExactly() {
        KvCache cache = TinyCaches.cache(1, 1, KEYS);
        PolicyContext ctx = TinyCaches.ctx(1, 1, 1);
        KvPolicy p = KvSpec.parse("chunkkv:budget=9,window=2,chunk=3").newPolicy();
        p.attach(cache, ctx);
        TinyCaches.windowQueries(cache, 1, 2);
        p.afterPrefill(cache, ctx);
        // [6,7,8], [0,1,2], then one slot: the best entry of [3,4,5]. Entry 10 (key 4.5, above
        // entries 0..2) loses with its chunk; token-level top-k would have kept it.
        assertThat(positions(cache, 0, 0)).containsExactly(0, 1, 2, 4, 6, 7, 8, 14, 15);
    }

    @Test
    void chunksFollowPositionsAcrossLaterCompressions() {
        KvCache cache = TinyCaches.cache(1, 1, KEYS);
        PolicyContext ctx = TinyCaches.ctx(1, 1, 1);
        KvPolicy p = KvSpec.parse("chunkkv:budget=9,window=2,chunk=3,slack=0,trigger=decode").newPolicy();
        p.attach(cache, ctx);
        TinyCaches.windowQueries(cache, 1, 2);
        p.afterPrefill(cache, ctx);
        // A new token (position 16, key 0): entries 14 (chunk [12..14]) and 15 leave the window.
        cache.head(0, 0).append(new float[4], 0, new float[4], 0, 16, 16);
        TinyCaches.windowQueries(cache, 1, 1);
        p.afterDecode(cache, ctx);
        // Window 15, 16. Chunks [6,7,8] and [0,1,2] stay whole; for the last slot the cut chunk {4}
        // (e^4.8) beats entry 14 (key 0), now alone in its chunk outside the window.
        assertThat(positions(cache, 0, 0)).containsExactly(0, 1, 2, 4, 6, 7, 8, 15, 16);
    }

    @Test
    void indexReuseKeepsTheFirstLayersPositionsInTheNext() {
        float[] other = KEYS.clone();
        other[9] = other[10] = other[11] = 6; // alone, layers 1 and 2 keep [9,10,11] first
        float[][][] a = {{KEYS}, {other}, {other}};
        PolicyContext ctx = TinyCaches.ctx(3, 1, 1);
        int[] layer0 = {0, 1, 2, 4, 6, 7, 8, 14, 15};
        // [9,10,11] 3e^6, [6,7,8] 3e^5, then the best (newest of equal) entry of [0,1,2].
        int[] alone = {2, 6, 7, 8, 9, 10, 11, 14, 15};
        int[][][] expected = {
            {layer0, alone, alone},   // reuse=1: off
            {layer0, layer0, alone},  // reuse=2: layers 0-1 share, layer 2 selects
            {layer0, layer0, layer0}, // reuse=3: one selection for all
        };
        for (int reuse = 1; reuse <= 3; reuse++) {
            KvCache cache = TinyCaches.cache(a);
            KvPolicy p = KvSpec.parse("chunkkv:budget=9,window=2,chunk=3,reuse=" + reuse).newPolicy();
            p.attach(cache, ctx);
            TinyCaches.windowQueries(cache, 1, 2);
            p.afterPrefill(cache, ctx);
            for (int l = 0; l < 3; l++) {
                assertThat(positions(cache, l, 0)).as("reuse=%d layer %d", reuse, l).containsExactly(expected[reuse - 1][l]);
            }
        }
    }

    @Test
    void parametersAreValidated() {
        assertThatThrownBy(() -> KvSpec.parse("chunkkv:chunk=0")).hasMessageContaining("chunk=0 must be >= 1");
        assertThatThrownBy(() -> KvSpec.parse("chunkkv:reuse=0")).hasMessageContaining("reuse=0 must be >= 1");
        assertThatThrownBy(() -> KvSpec.parse("chunkkv:budget=16")).hasMessageContaining("window (32) exceeds the budget 16");
    }
}
