package dev.winnow.tokenizer;

import java.util.Arrays;

/**
 * A binary min-heap of (long key, int value) pairs without boxing: the merge queues of both
 * tokenizers encode their priority (and tie-break) into the key.
 */
final class LongIntMinHeap {
    private long[] keys = new long[64];
    private int[] values = new int[64];
    private int n;

    void clear() {
        n = 0;
    }

    boolean isEmpty() {
        return n == 0;
    }

    long topKey() {
        return keys[0];
    }

    int topValue() {
        return values[0];
    }

    void push(long key, int value) {
        if (n == keys.length) {
            keys = Arrays.copyOf(keys, n * 2);
            values = Arrays.copyOf(values, n * 2);
        }
        int i = n++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= key) break;
            keys[i] = keys[parent];
            values[i] = values[parent];
            i = parent;
        }
        keys[i] = key;
        values[i] = value;
    }

    /** Removes the smallest key. */
    void pop() {
        long key = keys[--n];
        int value = values[n];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) break;
            if (child + 1 < n && keys[child + 1] < keys[child]) child++;
            if (keys[child] >= key) break;
            keys[i] = keys[child];
            values[i] = values[child];
            i = child;
        }
        keys[i] = key;
        values[i] = value;
    }
}
