package dev.winnow.kv;

/**
 * The KV cache of one sequence: a {@link HeadStore} per layer and KV head. The model appends
 * every new token's keys and values; attention reads whatever each store holds. Compression
 * policies (the "KV cache compression framework") act on the stores between forward passes.
 */
public final class KvCache {
    private final int layers;
    private final int kvHeads;
    private final int headSize;
    private final HeadStore[][] stores;

    public KvCache(int layers, int kvHeads, int headSize) {
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headSize = headSize;
        this.stores = new HeadStore[layers][kvHeads];
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

    /** Removes every entry. */
    public void clear() {
        for (HeadStore[] layer : stores) for (HeadStore s : layer) s.clear();
    }

    public KvStats stats() {
        int[][] entries = new int[layers][kvHeads];
        long used = 0, alloc = 0;
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < kvHeads; h++) {
                HeadStore s = stores[l][h];
                entries[l][h] = s.size();
                used += s.bytesUsed();
                alloc += s.bytesAllocated();
            }
        }
        return new KvStats(entries, used, alloc);
    }
}
