package dev.winnow.kv;

import dev.winnow.kv.codec.KvStorage;
import dev.winnow.kv.codec.VectorStore;
import dev.winnow.kv.sparse.EntrySelector;
import dev.winnow.kv.sparse.Selection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The KV cache of one sequence: a {@link HeadStore} per layer and KV head. The model appends
 * every new token's keys and values; attention reads whatever each store holds. Compression
 * policies act on the stores between forward passes; to score entries they can ask the model
 * to report attention probabilities ({@link #recordAttention}) and to keep the most recent
 * queries ({@link #keepQueries}). Keys and values are f32 unless a policy chose a codec
 * ({@link #useStorage}, before any entry exists).
 */
public final class KvCache {
    private final int layers;
    private final int kvHeads;
    private final int headSize;
    private final HeadStore[][] stores;
    private final int[][] peak;
    private AttentionRecorder recorder;
    private KvStorage storage = KvStorage.F32;
    private QueryWindow queries;
    private EntrySelector selector;
    private Selection[] selections;
    private long readHeadSteps, entriesRead, entriesHeld;
    private int step;

    public KvCache(int layers, int kvHeads, int headSize) {
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headSize = headSize;
        this.stores = new HeadStore[layers][kvHeads];
        this.peak = new int[layers][kvHeads];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < kvHeads; h++) stores[l][h] = new HeadStore(headSize);
        }
    }

    public int layers() {
        return layers;
    }

    public int kvHeads() {
        return kvHeads;
    }

    public int headSize() {
        return headSize;
    }

    public HeadStore head(int layer, int kvHead) {
        return stores[layer][kvHead];
    }

    /**
     * Makes room for {@code entries} entries in every head's store (no-op where there is room):
     * growing a store copies it, which at long contexts costs hundreds of MiB in one step.
     */
    public void reserve(int entries) {
        for (HeadStore[] layer : stores) {
            for (HeadStore h : layer) {
                if (entries > h.size()) h.reserve(entries - h.size());
            }
        }
    }

    /** The step counter: the number of tokens run through the model since the cache was created or cleared. */
    public int step() {
        return step;
    }

    /** Called by the model after each forward pass of {@code n} tokens: advances the step and the peaks. */
    public void advance(int n) {
        step += n;
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < kvHeads; h++) peak[l][h] = Math.max(peak[l][h], stores[l][h].size());
        }
    }

    /**
     * Stores keys and values with {@code storage} (a codec) from now on. The cache must be
     * empty: codecs are chosen when a policy attaches, before any token is run.
     */
    public void useStorage(KvStorage storage) {
        for (HeadStore[] layer : stores) {
            for (HeadStore s : layer) {
                if (s.size() != 0) throw new IllegalStateException("the cache storage can only change while the cache is empty");
            }
        }
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < kvHeads; h++) {
                stores[l][h].useVectors(storage.keys(l, h, headSize), storage.values(l, h, headSize));
            }
        }
        this.storage = storage;
    }

    /** How keys and values are stored. */
    public KvStorage storage() {
        return storage;
    }

    /** Installs (null: removes) what happens to entries a policy evicts, on every store (see {@link HeadStore#retain}). */
    public void useEvictionHandler(HeadStore.EvictionHandler handler) {
        for (HeadStore[] layer : stores) for (HeadStore s : layer) s.evictionHandler(handler);
    }

    /** Asks the model to report attention probabilities to {@code recorder} (null: stop). */
    public void recordAttention(AttentionRecorder recorder) {
        this.recorder = recorder;
    }

    public AttentionRecorder attentionRecorder() {
        return recorder;
    }

    /** Asks the model to keep the queries of the last {@code tokens} tokens (0: stop). */
    public void keepQueries(int heads, int tokens) {
        this.queries = tokens > 0 ? new QueryWindow(layers, heads, headSize, tokens) : null;
    }

    /** The kept queries, or null. */
    public QueryWindow queries() {
        return queries;
    }

    /**
     * Makes decoding steps attend only to the entries {@code selector} chooses (sparse attention;
     * null: every entry again). Prefill always attends to everything.
     */
    public void useSelector(EntrySelector selector) {
        this.selector = selector;
        if (selector != null && selections == null) {
            selections = new Selection[layers];
            for (int l = 0; l < layers; l++) selections[l] = new Selection(kvHeads);
        }
    }

    /** The sparse-attention selector, or null. */
    public EntrySelector selector() {
        return selector;
    }

    /** The reusable selection of layer {@code l} (for the model's sparse decode path). */
    public Selection selection(int layer) {
        if (selections == null) throw new IllegalStateException("no sparse-attention selector is installed");
        return selections[layer];
    }

    /** Called by the model after a decoding step's attention of one layer: {@code read} of {@code held} entries were read, over {@code heads} KV heads. */
    public void countReads(int heads, long read, long held) {
        readHeadSteps += heads;
        entriesRead += read;
        entriesHeld += held;
    }

    /**
     * A point to roll back to (speculative decoding): every head's entry count and the step
     * counter, taken before a verification pass appends draft tokens.
     */
    public record Checkpoint(int[][] sizes, int step) {
    }

    public Checkpoint checkpoint() {
        int[][] sizes = new int[layers][kvHeads];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < kvHeads; h++) sizes[l][h] = stores[l][h].size();
        }
        return new Checkpoint(sizes, step);
    }

    /**
     * Rolls back to {@code cp}, keeping of the entries appended since then only the
     * {@code keepAfter[0, kept)}-th ones (ascending) in every head — as if only those tokens had
     * been run, one per step: the step counter becomes {@code cp.step() + kept}. Entries, positions
     * and statistics of the dropped rows go; peaks stay (the memory was held).
     */
    public void rollback(Checkpoint cp, int[] keepAfter, int kept) {
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < kvHeads; h++) stores[l][h].rollback(cp.sizes[l][h], keepAfter, kept);
        }
        step = cp.step + kept;
    }

    /**
     * Removes the newest {@code n} entries of every head and moves the step counter back by
     * {@code n}: the last {@code n} tokens run, undone (see {@link #rollback}).
     */
    public void dropNewest(int n) {
        Checkpoint now = checkpoint();
        for (int[] layer : now.sizes) {
            for (int h = 0; h < layer.length; h++) {
                if (layer[h] < n) throw new IllegalArgumentException("a head holds " + layer[h] + " entries, fewer than " + n);
                layer[h] -= n;
            }
        }
        rollback(new Checkpoint(now.sizes, step - n), new int[0], 0);
    }

    /** Removes every entry. */
    public void clear() {
        for (HeadStore[] layer : stores) for (HeadStore s : layer) s.clear();
        for (int[] p : peak) java.util.Arrays.fill(p, 0);
        if (queries != null) queries.clear();
        step = 0;
        readHeadSteps = entriesRead = entriesHeld = 0;
    }

    public KvStats stats() {
        int[][] entries = new int[layers][kvHeads];
        int[][] peaks = new int[layers][kvHeads];
        long used = 0, alloc = 0;
        Map<String, long[]> keyParts = new LinkedHashMap<>(), valueParts = new LinkedHashMap<>();
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < kvHeads; h++) {
                HeadStore s = stores[l][h];
                entries[l][h] = s.size();
                peaks[l][h] = Math.max(peak[l][h], s.size());
                used += s.bytesUsed();
                alloc += s.bytesAllocated();
                addUsage(s.keyStore(), keyParts);
                addUsage(s.valueStore(), valueParts);
            }
        }
        return new KvStats(entries, peaks, used, alloc, headSize, parts(keyParts), parts(valueParts),
                new KvStats.Reads(readHeadSteps, entriesRead, entriesHeld));
    }

    private static void addUsage(VectorStore store, Map<String, long[]> acc) {
        store.usage((codec, vectors, bytes) -> {
            long[] p = acc.computeIfAbsent(codec, k -> new long[2]);
            p[0] += vectors;
            p[1] += bytes;
        });
    }

    private static List<KvStats.Part> parts(Map<String, long[]> acc) {
        List<KvStats.Part> out = new ArrayList<>();
        acc.forEach((codec, p) -> out.add(new KvStats.Part(codec, p[0], p[1])));
        return List.copyOf(out);
    }
}
