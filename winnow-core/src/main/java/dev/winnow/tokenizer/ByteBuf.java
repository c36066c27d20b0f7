package dev.winnow.tokenizer;

import java.util.Arrays;

/** A growable byte array (decoded token bytes), shared by the tokenizers of this package. */
final class ByteBuf {
    byte[] a;
    int n;

    ByteBuf(int capacity) {
        a = new byte[Math.max(capacity, 16)];
    }

    void add(byte[] src) {
        add(src, 0, src.length);
    }

    void add(byte[] src, int off, int len) {
        if (n + len > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, n + len));
        System.arraycopy(src, off, a, n, len);
        n += len;
    }

    void dropFirst(int k) {
        System.arraycopy(a, k, a, 0, n - k);
        n -= k;
    }
}
