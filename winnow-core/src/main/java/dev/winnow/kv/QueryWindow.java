package dev.winnow.kv;

/**
 * The queries (after RoPE) of the most recent tokens, per layer and query head: the
 * "observation window" that SnapKV-style scorers score the cache with. A ring buffer of
 * {@link #capacity()} tokens per layer.
 */
public final class QueryWindow {
    private final int heads;
    private final int headSize;
    private final int capacity;
    private final float[][] data;
    private final int[] written;

    public QueryWindow(int layers, int heads, int headSize, int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("window capacity must be >= 1, got " + capacity);
        this.heads = heads;
        this.headSize = headSize;
        this.capacity = capacity;
        this.data = new float[layers][capacity * heads * headSize];
        this.written = new int[layers];
    }

    public int capacity() {
        return capacity;
    }

    /** Records the queries of one token: {@code heads × headSize} floats at {@code q[offset]}. */
    public void add(int layer, float[] q, int offset) {
        int slot = written[layer] % capacity;
        System.arraycopy(q, offset, data[layer], slot * heads * headSize, heads * headSize);
        written[layer]++;
    }

    /** How many queries of this layer are held (at most the capacity). */
    public int count(int layer) {
        return Math.min(written[layer], capacity);
    }

    /**
     * The query of head {@code head} for window token {@code j} ({@code 0} = oldest held):
     * returns the array and writes nothing; read {@code headSize} floats from {@link #offset}.
     */
    public float[] data(int layer) {
        return data[layer];
    }

    public int offset(int layer, int j, int head) {
        int oldest = written[layer] - count(layer);
        int slot = (oldest + j) % capacity;
        return (slot * heads + head) * headSize;
    }

    public void clear() {
        java.util.Arrays.fill(written, 0);
    }
}
