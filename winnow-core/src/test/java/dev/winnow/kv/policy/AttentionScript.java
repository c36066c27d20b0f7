package dev.winnow.kv.policy;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;

/**
 * Scripted decoding for policy unit tests on a one-layer cache with head size 4: each step
 * appends one entry to every KV head (position = token index, key {@code (a, 0, 0, 0)}), reports one
 * query's attention through the recorder the policy installed, and advances the cache — what
 * the model does, with the probabilities chosen by the test.
 */
final class AttentionScript {
    static final int HEAD_SIZE = 4;

    final KvCache cache;
    final PolicyContext ctx;
    final EvictionPolicy policy;
    private int next;

    AttentionScript(String spec, int kvHeads, int heads) {
        this.cache = new KvCache(1, kvHeads, HEAD_SIZE);
        this.ctx = new PolicyContext(1, kvHeads, heads, HEAD_SIZE, 512, (k, off, d) -> {
        }, null, null, null, PolicyContext.historyOf());
        this.policy = (EvictionPolicy) KvSpec.parse(spec).newPolicy();
        policy.attach(cache, ctx);
    }

    AttentionScript(String spec) {
        this(spec, 1, 1);
    }

    int groupSize() {
        return ctx.groupSize();
    }

    /**
     * Appends the next token's entry (key {@code (a,0,0,0)}) to every KV head. Like the model,
     * its position and insertion step are the token's index: the k-th entry appended since the
     * last {@code cache.advance} gets step {@code cache.step() + k}.
     */
    AttentionScript append(float a) {
        int index = next++;
        for (int h = 0; h < cache.kvHeads(); h++) {
            cache.head(0, h).append(new float[] {a, 0, 0, 0}, 0, new float[] {index, 0, 0, 0}, 0, index, index);
        }
        return this;
    }

    /**
     * Reports one query of the current step to head {@code kvHead}: {@code probs} are one query
     * head's probabilities over the first {@code probs.length} entries; the recorder receives them
     * summed over the group (here: times the group size, every head of the group alike).
     */
    AttentionScript query(int kvHead, float... probs) {
        int g = groupSize();
        float[] sum = new float[probs.length];
        for (int i = 0; i < probs.length; i++) sum[i] = probs[i] * g;
        cache.attentionRecorder().record(0, kvHead, cache.head(0, kvHead), sum, probs.length, g, cache.step());
        return this;
    }

    /** One decoding step on a one-head cache: append, query with {@code probs}, advance. */
    AttentionScript step(float... probs) {
        append(0);
        query(0, probs);
        cache.advance(1);
        return this;
    }

    AttentionScript compress() {
        policy.compress(cache, ctx);
        return this;
    }

    HeadStore head(int h) {
        return cache.head(0, h);
    }

    /** The positions head {@code h} holds, in order. */
    int[] positions(int h) {
        HeadStore s = head(h);
        int[] p = new int[s.size()];
        for (int i = 0; i < p.length; i++) p[i] = s.position(i);
        return p;
    }

    int[] positions() {
        return positions(0);
    }

    /**
     * Probabilities over {@code n} entries: {@code mass} split evenly over {@code hits}, the rest
     * evenly over the others (none: uniform).
     */
    static float[] peaks(int n, float mass, int... hits) {
        float[] p = new float[n];
        if (hits.length == 0) {
            java.util.Arrays.fill(p, 1f / n);
            return p;
        }
        int others = n - hits.length;
        java.util.Arrays.fill(p, others > 0 ? (1 - mass) / others : 0);
        for (int h : hits) p[h] = others > 0 ? mass / hits.length : 1f / hits.length;
        return p;
    }
}
