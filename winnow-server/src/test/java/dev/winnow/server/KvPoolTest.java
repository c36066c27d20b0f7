package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.generate.BatchEngine;
import dev.winnow.generate.BatchListener;
import dev.winnow.generate.BatchSequence;
import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The KV memory pool's bounds hold for real caches, and idle conversations go least recently used first. */
class KvPoolTest {
    static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(TestServer.stories());
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    private static final BatchListener NONE = new BatchListener() {
        @Override
        public void onToken(int token, String text, float[] logits) {
        }

        @Override
        public void onFinish(Generation generation) {
        }
    };

    /** Runs a sequence to the end and returns the bytes its cache allocated at most. */
    private static long run(BatchSequence seq, int[] prompt, int max) {
        BatchEngine engine = new BatchEngine(model, 160, 128);
        seq.start(prompt, GenerationParams.greedy(max).toBuilder().ignoreEos(true).build(), NONE);
        long peak = 0;
        while (seq.active()) {
            engine.step(List.of(seq));
            peak = Math.max(peak, KvPool.allocated(seq.cache()));
        }
        return peak;
    }

    private static int[] prompt(int n) {
        int[] p = new int[n];
        p[0] = model.tokenizer().bosId();
        for (int i = 1; i < n; i++) p[i] = 100 + i % 200;
        return p;
    }

    @Test
    void estimatesBoundWhatCachesAllocate() {
        KvPool pool = new KvPool(1L << 30, model.config(), 128);
        for (String spec : List.of("full", "int8", "snapkv:budget=32,window=4", "h2o:budget=32", "streaming:window=40")) {
            for (int[] shape : new int[][] {{10, 4}, {20, 30}, {100, 60}, {200, 40}, {30, 200}}) {
                KvSpec kv = KvSpec.parse(spec);
                var policy = kv.newPolicy();
                int total = shape[0] + shape[1];
                long bound = pool.estimate(policy, shape[0], total);
                BatchSequence seq = new BatchSequence(model, 512, policy);
                seq.cache().reserve((int) pool.entries(policy, shape[0], total)); // as the scheduler does
                long peak = run(seq, prompt(shape[0]), shape[1]);
                assertThat(peak).as(spec + " prompt " + shape[0] + " + " + shape[1]).isPositive().isLessThanOrEqualTo(bound);
            }
        }
        // A fixed budget bounds the reservation below the full cache's for a long generation.
        assertThat(pool.estimate(KvSpec.parse("h2o:budget=32").newPolicy(), 10, 2000))
                .isLessThan(pool.estimate(KvSpec.FULL.newPolicy(), 10, 2000) / 8);
    }

    @Test
    void idleConversationsAreDroppedLeastRecentlyUsedFirst() {
        KvPool pool = new KvPool(1L << 30, model.config(), 128);
        BatchSequence a = new BatchSequence(model, 256, KvSpec.FULL.newPolicy());
        BatchSequence b = new BatchSequence(model, 256, KvSpec.FULL.newPolicy());
        run(a, prompt(40), 4);
        run(b, prompt(40), 4);
        pool.park(a, "full", 8);
        pool.park(b, "full", 8);
        long each = pool.reservation(a);
        assertThat(each).isEqualTo(KvPool.allocated(a.cache())).isPositive();
        assertThat(pool.reserved()).isEqualTo(2 * each);
        // Room for one more conversation of this size: the older one (a) goes.
        KvPool tight = new KvPool(2 * each, model.config(), 128);
        tight.park(a, "full", 8);
        tight.park(b, "full", 8);
        assertThat(tight.dropIdleFor(each, 0)).isEqualTo(1);
        assertThat(tight.reservation(a)).isZero();
        assertThat(tight.reservation(b)).isEqualTo(each);
        // Reuse takes the conversation sharing the longest prefix (at least MIN_REUSE tokens) of the same spec.
        assertThat(tight.takeBestIdle(prompt(30), "int8")).isNull();
        assertThat(tight.takeBestIdle(prompt(10), "full")).isNull();
        assertThat(tight.takeBestIdle(prompt(30), "full")).isSameAs(b);
    }
}
