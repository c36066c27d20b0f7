package dev.winnow.server;

import dev.winnow.generate.BatchSequence;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.BudgetedPolicy;
import dev.winnow.kv.policy.KvPolicy;
import dev.winnow.model.ModelConfig;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The KV memory budget shared by every sequence ({@code --kv-memory}). Each sequence holds a
 * reservation: an upper bound of the bytes its cache will allocate, computed before it is
 * admitted and raised to what it really allocates when that is more. Finished conversations stay
 * as idle sequences (for prefix reuse) with their bytes until a new request needs the room; then
 * the least recently used go first. Used by the scheduler thread only.
 */
final class KvPool {
    /** Entries a fresh head store holds before it first grows (HeadStore's initial capacity). */
    private static final int FRESH_CAPACITY = 16;

    private final long budget;
    private final long bytesPerEntry;
    private final int prefillChunk;
    private final Map<BatchSequence, Long> reservations = new IdentityHashMap<>();
    /** Idle conversations, least recently used first, with their KV spec (reuse needs the same). */
    private final LinkedHashMap<BatchSequence, String> idle = new LinkedHashMap<>();
    private long reserved;

    KvPool(long budget, ModelConfig config, int prefillChunk) {
        this.budget = budget;
        this.prefillChunk = prefillChunk;
        KvCache probe = new KvCache(config.layers(), config.kvHeads(), config.headSize());
        this.bytesPerEntry = Math.ceilDiv(probe.stats().bytesAllocated(), FRESH_CAPACITY);
    }

    long budget() {
        return budget;
    }

    long reserved() {
        return reserved;
    }

    /** Bytes one token's keys and values take in every layer and head, uncompressed (f32) with its metadata. */
    long bytesPerEntry() {
        return bytesPerEntry;
    }

    /**
     * Most entries a sequence's stores hold for {@code tokens} tokens in all (prompt + generated),
     * {@code prompt} of them the prompt: all of them when the policy keeps every entry; with a
     * fixed entry budget the larger of the prompt and budget + slack (+ the generated tokens when
     * the policy does not compress while decoding), plus one prompt chunk (policies that compress
     * only after the prompt hold all of it until then). The scheduler
     * reserves the stores to this size, so they do not grow by doubling past it.
     */
    long entries(KvPolicy policy, int prompt, int tokens) {
        long entries = tokens;
        if (!policy.keepsEveryEntry() && policy instanceof BudgetedPolicy bp && !bp.budget().isRatio()) {
            long kept = bp.budget().entries() + (long) bp.slack();
            // A policy that does not compress while decoding (trigger=prefill|chunks) keeps every generated token.
            if (!bp.trigger().whileDecoding()) kept += Math.max(0, tokens - prompt);
            entries = Math.min(entries, Math.max(prompt, kept) + prefillChunk);
        }
        return entries;
    }

    /**
     * An upper bound of the bytes a fresh sequence's cache allocates once reserved to
     * {@link #entries}: codecs store fewer bytes per entry than f32, so f32 bounds them.
     * {@link #measure} raises a reservation that turns out too low.
     */
    long estimate(KvPolicy policy, int prompt, int tokens) {
        long entries = entries(policy, prompt, tokens);
        long capacity = entries <= FRESH_CAPACITY ? FRESH_CAPACITY : Math.max(entries, 2L * FRESH_CAPACITY);
        return capacity * bytesPerEntry;
    }

    /** The bound for continuing an existing sequence to {@code tokens} tokens. */
    long estimate(BatchSequence seq, int prompt, int tokens) {
        long now = allocated(seq.cache());
        long fresh = estimate(seq.policy(), prompt, tokens);
        // Growing a store at least doubles it.
        return fresh <= now ? now : Math.max(fresh, 2 * now);
    }

    /** Whether {@code bytes} more fit after giving back {@code released}. */
    boolean fits(long bytes, long released) {
        return reserved - released + bytes <= budget;
    }

    long reservation(BatchSequence seq) {
        return reservations.getOrDefault(seq, 0L);
    }

    void reserve(BatchSequence seq, long bytes) {
        reserved += bytes - reservation(seq);
        reservations.put(seq, bytes);
    }

    void release(BatchSequence seq) {
        Long r = reservations.remove(seq);
        if (r != null) reserved -= r;
        idle.remove(seq);
    }

    /** Keeps a finished sequence for prefix reuse, at what its cache allocates now. */
    void park(BatchSequence seq, String kv, int maxIdle) {
        if (maxIdle == 0) {
            release(seq);
            return;
        }
        reserve(seq, allocated(seq.cache()));
        idle.put(seq, kv);
        while (idle.size() > maxIdle) release(idle.keySet().iterator().next());
    }

    /**
     * Shortest shared prefix worth continuing a conversation from: below it (a BOS token, the
     * template's opening) reusing would destroy a cached conversation for next to nothing.
     */
    static final int MIN_REUSE = 16;

    /** Takes the idle sequence of this spec sharing the longest prefix with {@code prompt} (at least {@link #MIN_REUSE} tokens) out of the idle list. */
    BatchSequence takeBestIdle(int[] prompt, String kv) {
        BatchSequence best = null;
        int bestLen = MIN_REUSE - 1;
        for (Map.Entry<BatchSequence, String> e : idle.entrySet()) {
            if (!e.getValue().equals(kv)) continue;
            int n = e.getKey().commonPrefix(prompt);
            if (n > bestLen) {
                best = e.getKey();
                bestLen = n;
            }
        }
        if (best != null) idle.remove(best);
        return best;
    }

    /** Drops least recently used idle conversations until {@code bytes} more fit (after giving back {@code released}); returns how many it dropped. */
    int dropIdleFor(long bytes, long released) {
        int dropped = 0;
        for (Iterator<BatchSequence> it = idle.keySet().iterator(); it.hasNext() && !fits(bytes, released); ) {
            BatchSequence s = it.next();
            it.remove();
            Long r = reservations.remove(s);
            if (r != null) reserved -= r;
            dropped++;
        }
        return dropped;
    }

    int idleCount() {
        return idle.size();
    }

    /** Raises each reservation to what its cache allocates, and returns the bytes all caches allocate. */
    long measure() {
        long held = 0;
        for (Map.Entry<BatchSequence, Long> e : reservations.entrySet()) {
            long a = allocated(e.getKey().cache());
            held += a;
            if (a > e.getValue()) {
                reserved += a - e.getValue();
                e.setValue(a);
            }
        }
        return held;
    }

    static long allocated(KvCache cache) {
        long sum = 0;
        for (int l = 0; l < cache.layers(); l++) {
            for (int h = 0; h < cache.kvHeads(); h++) sum += cache.head(l, h).bytesAllocated();
        }
        return sum;
    }
}
