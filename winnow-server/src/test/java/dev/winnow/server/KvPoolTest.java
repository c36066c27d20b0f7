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

    /** The bytes per entry the scheduler uses for a spec: measured on a probe sequence. */
    private static KvPool.EntryCost perEntry(KvPool pool, String spec) {
        return pool.cost(spec, () -> new BatchSequence(model, KvPool.PROBE_ENTRIES, KvSpec.parse(spec).newPolicy()).cache());
    }

    @Test
    void estimatesBoundWhatCachesAllocate() {
        KvPool pool = new KvPool(1L << 30, model.config(), 128);
        for (String spec : List.of("full", "f16", "int8", "snapkv:budget=32,window=4", "snapkv:budget=32,window=4+f16",
                "h2o:budget=32", "streaming:window=40", "streaming:window=40+int8")) {
            KvPool.EntryCost perEntry = perEntry(pool, spec);
            for (int[] shape : new int[][] {{10, 4}, {20, 30}, {100, 60}, {200, 40}, {30, 200}}) {
                KvSpec kv = KvSpec.parse(spec);
                var policy = kv.newPolicy();
                int total = shape[0] + shape[1];
                long bound = pool.estimate(policy, shape[0], total, perEntry);
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
    void halfPrecisionCachesReserveHalfTheBytes() {
        KvPool pool = new KvPool(1L << 30, model.config(), 128);
        long f32 = perEntry(pool, "full").perEntry();
        assertThat(f32).isLessThanOrEqualTo(pool.bytesPerEntry());
        // stories260K: 5 layers x 4 KV heads x (8 + 8) values; f16 stores 2 of the 4 bytes of each,
        // with the same per-entry metadata (position, statistics) as f32.
        long f16 = perEntry(pool, "f16").perEntry();
        assertThat(f32 - f16).isGreaterThanOrEqualTo(5L * 4 * 16 * 2 - 5L * 4 * 16); // the margin may cap f32
        assertThat(f16).isLessThan(pool.bytesPerEntry());
        assertThat(perEntry(pool, "int8").perEntry()).isLessThan(f16);
        // Group codecs keep the f32 bound: a probe cannot see their residual windows.
        assertThat(perEntry(pool, "kivi").perEntry()).isEqualTo(pool.bytesPerEntry());
        assertThat(KvPool.perTokenStorage("snapkv:budget=64+k=int8,v=f16")).isTrue();
        assertThat(KvPool.perTokenStorage("h2o:budget=64+kivi")).isFalse();
        assertThat(KvPool.perTokenStorage("snapkv+quest")).isFalse();
    }

    /**
     * The target, as the scheduler's admission arithmetic: with memory for 4 full-cache
     * conversations at a 2,048-token context, a policy with a budget of 1/8 of the context admits
     * at least 4x as many (each conversation: a 200-token prompt, generating to the context).
     */
    @Test
    void aBudgetOfAnEighthOfTheContextAdmitsFourTimesTheConversations() {
        int ctx = 2048, prompt = 200;
        KvPool sizing = new KvPool(1L << 40, model.config(), 128);
        long full = sizing.estimate(KvSpec.parse("f16").newPolicy(), prompt, ctx, perEntry(sizing, "f16"));
        assertThat(full).isLessThan(sizing.estimate(KvSpec.FULL.newPolicy(), prompt, ctx, perEntry(sizing, "full")));
        for (String spec : List.of("f16", "snapkv:budget=256,trigger=decode+f16", "streaming:sinks=4,window=252+f16", "h2o:budget=256+f16")) {
            KvPool pool = new KvPool(4 * full, model.config(), 128);
            KvPool.EntryCost per = perEntry(pool, spec);
            int admitted = 0;
            while (true) {
                long need = pool.estimate(KvSpec.parse(spec).newPolicy(), prompt, ctx, per);
                if (!pool.fits(need, 0)) break;
                pool.reserve(new BatchSequence(model, 16, KvSpec.parse(spec).newPolicy()), need);
                admitted++;
            }
            if (spec.equals("f16")) assertThat(admitted).as(spec).isEqualTo(4);
            else assertThat(admitted).as(spec).isGreaterThanOrEqualTo(16);
        }
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
