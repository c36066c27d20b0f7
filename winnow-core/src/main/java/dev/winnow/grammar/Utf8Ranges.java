package dev.winnow.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns code point ranges into UTF-8 byte-range sequences (the algorithm of Rust's
 * regex-syntax {@code Utf8Sequences}): each sequence is 1–4 byte ranges {@code [lo, hi]} that
 * together match exactly the well-formed encodings of the code points (surrogates excluded).
 */
final class Utf8Ranges {
    private Utf8Ranges() {
    }

    static final int MAX_CP = 0x10FFFF;

    /** Sequences of byte ranges, each an int[2n] of (lo, hi) pairs. */
    static List<int[]> sequences(int lo, int hi) {
        List<int[]> out = new ArrayList<>();
        split(lo, hi, out);
        return out;
    }

    private static void split(int lo, int hi, List<int[]> out) {
        if (lo > hi) return;
        // Surrogates are not encodable.
        if (lo <= 0xDFFF && hi >= 0xD800) {
            split(lo, 0xD7FF, out);
            split(0xE000, hi, out);
            return;
        }
        int[] maxOfLen = {0x7F, 0x7FF, 0xFFFF, MAX_CP};
        for (int m : maxOfLen) {
            if (lo <= m && hi > m) {
                split(lo, m, out);
                split(m + 1, hi, out);
                return;
            }
        }
        int n = hi <= 0x7F ? 1 : hi <= 0x7FF ? 2 : hi <= 0xFFFF ? 3 : 4;
        for (int k = 1; k < n; k++) {
            int mask = (1 << (6 * k)) - 1;
            if ((lo & ~mask) != (hi & ~mask)) {
                if ((lo & mask) != 0) {
                    split(lo, lo | mask, out);
                    split((lo | mask) + 1, hi, out);
                    return;
                }
                if ((hi & mask) != mask) {
                    split(lo, (hi & ~mask) - 1, out);
                    split(hi & ~mask, hi, out);
                    return;
                }
            }
        }
        byte[] a = encode(lo), b = encode(hi);
        int[] seq = new int[2 * n];
        for (int k = 0; k < n; k++) {
            seq[2 * k] = a[k] & 0xFF;
            seq[2 * k + 1] = b[k] & 0xFF;
        }
        out.add(seq);
    }

    static byte[] encode(int cp) {
        return new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
