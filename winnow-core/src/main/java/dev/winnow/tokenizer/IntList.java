package dev.winnow.tokenizer;

import java.util.Arrays;

/** A growable int array (token ids, word lengths), shared by the tokenizers of this package. */
final class IntList {
    private int[] a;
    private int n;

    IntList(int capacity) {
        a = new int[Math.max(capacity, 4)];
    }

    void add(int v) {
        if (n == a.length) a = Arrays.copyOf(a, n * 2);
        a[n++] = v;
    }

    int get(int i) {
        return a[i];
    }

    int size() {
        return n;
    }

    /** Appends all of {@code v}. */
    void addAll(int[] v) {
        if (n + v.length > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, n + v.length));
        System.arraycopy(v, 0, a, n, v.length);
        n += v.length;
    }

    int[] toArray() {
        return Arrays.copyOf(a, n);
    }

    /** The elements from {@code from} to the end. */
    int[] toArray(int from) {
        return Arrays.copyOfRange(a, from, n);
    }
}
