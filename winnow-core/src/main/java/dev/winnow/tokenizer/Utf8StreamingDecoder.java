package dev.winnow.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * The {@link StreamingDecoder} of the tokenizers of this package: appends each token's bytes
 * (as the tokenizer's {@code decode} would) and emits text only up to the last complete UTF-8
 * character; incomplete trailing bytes wait for the next token. Pushes plus the flush
 * therefore concatenate to exactly what {@code decode} gives for the same tokens.
 */
final class Utf8StreamingDecoder implements StreamingDecoder {
    /** Appends the bytes one token contributes; may keep state (e.g. a one-time space strip). */
    @FunctionalInterface
    interface PieceWriter {
        void append(int token, ByteBuf out);
    }

    private final PieceWriter writer;
    private final ByteBuf pending = new ByteBuf(16);

    Utf8StreamingDecoder(PieceWriter writer) {
        this.writer = writer;
    }

    @Override
    public String push(int token) {
        writer.append(token, pending);
        int cut = pending.n - incompleteTail(pending.a, pending.n);
        if (cut == 0) return "";
        String s = new String(pending.a, 0, cut, StandardCharsets.UTF_8);
        pending.dropFirst(cut);
        return s;
    }

    @Override
    public String flush() {
        String s = new String(pending.a, 0, pending.n, StandardCharsets.UTF_8);
        pending.n = 0;
        return s;
    }

    /**
     * The number of bytes at the end of {@code b[0..n)} that form the beginning of a UTF-8
     * sequence which is valid so far but incomplete (0 to 3). Decoding up to that point and the
     * rest later gives the same text as decoding everything at once, because a UTF-8 decoder
     * always starts a new sequence at a lead byte.
     *
     * <p>"Valid so far" is judged as Java's UTF-8 decoder judges it, so that the replacement
     * characters come out the same: in particular {@code ED A0..BF} is kept pending, because
     * the decoder reads {@code ED A0..BF xx} (an encoded surrogate) as one 3-byte unit and
     * replaces it with a single U+FFFD.
     */
    static int incompleteTail(byte[] b, int n) {
        for (int k = 1; k <= 3 && k <= n; k++) {
            int c = b[n - k] & 0xFF;
            if (c < 0x80) return 0; // ASCII: nothing pending after it
            if (c >= 0xC0) { // lead byte
                int need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
                if (c < 0xC2 || c > 0xF4 || need <= k) return 0; // invalid lead, or complete
                if (k >= 2) {
                    int c1 = b[n - k + 1] & 0xFF;
                    int lo = 0x80, hi = 0xBF;
                    if (c == 0xE0) lo = 0xA0;
                    else if (c == 0xF0) lo = 0x90;
                    else if (c == 0xF4) hi = 0x8F;
                    if (c1 < lo || c1 > hi) return 0; // already malformed: decode it now
                }
                return k; // k-1 continuation bytes after the lead were checked by the loop
            }
            // continuation byte: look further back
        }
        return 0;
    }
}
