package dev.winnow.server;

import dev.winnow.generate.BatchSequence;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.codec.ComposedPolicy;
import dev.winnow.kv.policy.BudgetedPolicy;
import dev.winnow.kv.policy.KvPolicy;
import dev.winnow.kv.policy.StreamingLlmPolicy;
import dev.winnow.model.ModelConfig;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

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
    /** Entries a probe cache is reserved to when measuring a spec's bytes per entry. */
    static final int PROBE_ENTRIES = 256;

    private final long budget;
    private final long bytesPerEntry;
    private final int prefillChunk;
    private final Map<BatchSequence, Long> reservations = new IdentityHashMap<>();
    /** The allocation cost of each KV spec's caches, measured once ({@link #cost}). */
    private final Map<String, EntryCost> specCosts = new HashMap<>();
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
        // The eviction part of a composed spec (snapkv:budget=256+f16) decides how many entries stay.
        KvPolicy eviction = policy instanceof ComposedPolicy c ? c.eviction() : policy;
        if (!eviction.keepsEveryEntry() && eviction instanceof BudgetedPolicy bp && !bp.budget().isRatio()) {
            long kept = bp.budget().entries() + (long) bp.slack();
            // A policy that does not compress while decoding (trigger=prefill|chunks) keeps every generated token.
            if (!bp.trigger().whileDecoding()) kept += Math.max(0, tokens - prompt);
            entries = Math.min(entries, Math.max(prompt, kept) + prefillChunk);
        } else if (eviction instanceof StreamingLlmPolicy s) {
            // Trimmed to sinks + window after every prompt chunk and every decoded token.
            entries = Math.min(entries, (long) s.budget() + prefillChunk);
        }
        return entries;
    }

    /**
     * An upper bound of the bytes a fresh sequence's cache allocates once reserved to
     * {@link #entries}, counted as f32 entries (codecs store fewer bytes); the scheduler uses the
     * spec's own {@link #cost}. {@link #measure} raises a reservation that turns out too low.
     */
    long estimate(KvPolicy policy, int prompt, int tokens) {
        return estimate(policy, prompt, tokens, f32Cost());
    }

    /** As {@link #estimate(KvPolicy, int, int)} for caches of the given cost (see {@link #cost}). */
    long estimate(KvPolicy policy, int prompt, int tokens, EntryCost cost) {
        long entries = entries(policy, prompt, tokens);
        long capacity = entries <= FRESH_CAPACITY ? FRESH_CAPACITY : Math.max(entries, 2L * FRESH_CAPACITY);
        return cost.bytes(capacity);
    }

    /** What a cache's stores allocate for a capacity of {@code n} entries: {@code fixed + n × perEntry}. */
    record EntryCost(long fixed, long perEntry) {
        long bytes(long n) {
            return fixed + n * perEntry;
        }
    }

    private EntryCost f32Cost() {
        return new EntryCost(0, bytesPerEntry);
    }

    /**
     * The allocation cost of caches of {@code spec} (f16 about half of f32, int8 about a quarter),
     * measured once per spec on a probe cache from {@code probe}: fresh, then reserved to
     * {@link #PROBE_ENTRIES}. The fixed part also covers codec state made with the first entry
     * (int8's per-channel key scales). Never above the f32 bound at the probe's size.
     */
    EntryCost cost(String spec, Supplier<KvCache> probe) {
        return specCosts.computeIfAbsent(spec, s -> {
            if (!perTokenStorage(s)) return f32Cost();
            KvCache cache = probe.get();
            long fresh = allocated(cache);
            cache.reserve(PROBE_ENTRIES);
            int stores = cache.layers() * cache.kvHeads();
            // Plus what the probe cannot see: state made with the first entry (int8's per-channel key
            // scales) and per-entry tables made when first needed (a repositioned key's rotation),
            // which grow by doubling: 16 bytes an entry and store covers two such 4-byte columns.
            long per = Math.ceilDiv(allocated(cache) - fresh, PROBE_ENTRIES - FRESH_CAPACITY) + 16L * stores;
            long lazy = (long) stores * cache.headSize() * Float.BYTES * 2;
            EntryCost measured = new EntryCost(Math.max(0, fresh - per * FRESH_CAPACITY) + lazy, per);
            return measured.bytes(PROBE_ENTRIES) <= f32Cost().bytes(PROBE_ENTRIES) ? measured : f32Cost();
        });
    }

    private static final java.util.regex.Pattern EVICTION = java.util.regex.Pattern.compile(
            "(full|window|streaming|h2o|snapkv|pyramidkv|adakv|sepllm|chunkkv|duo|tova|scissorhands|keyformer|knorm|random|lazy)(:.*)?");
    private static final java.util.regex.Pattern PER_TOKEN_CODEC =
            java.util.regex.Pattern.compile("(f32|f16|bf16|int8|int4|int2)([:,].*)?|codec(:.*)?|k=.*");

    /**
     * Whether every part of {@code spec} after its eviction policy is a per-token codec (f16,
     * int8, k=…,v=…), whose bytes per entry a probe measures exactly. Group codecs (KIVI, GEAR,
     * mixed precision), merging and sparse attention keep the f32 bound.
     */
    static boolean perTokenStorage(String spec) {
        String[] parts = spec.split("\\+");
        for (int i = 0; i < parts.length; i++) {
            if (PER_TOKEN_CODEC.matcher(parts[i]).matches()) continue;
            if (i > 0 || !EVICTION.matcher(parts[i]).matches()) return false;
        }
        return true;
    }

    /** The bound for continuing an existing sequence to {@code tokens} tokens. */
    long estimate(BatchSequence seq, int prompt, int tokens) {
        return estimate(seq, prompt, tokens, f32Cost());
    }

    /** As {@link #estimate(BatchSequence, int, int)} for caches of the given cost. */
    long estimate(BatchSequence seq, int prompt, int tokens, EntryCost cost) {
        long now = allocated(seq.cache());
        long fresh = estimate(seq.policy(), prompt, tokens, cost);
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
