package dev.winnow.tools;

/** Finds where a JSON object or array that starts at a given index ends, without parsing it. */
final class JsonScan {
    private static final int MAX_DEPTH = 512;

    private JsonScan() {
    }

    /**
     * The index just past the object or array opening at {@code start} ({@code {} or {@code [}),
     * or −1 when it does not close (or nests too deep). Strings and escapes are skipped.
     */
    static int end(String s, int start) {
        if (start >= s.length() || (s.charAt(start) != '{' && s.charAt(start) != '[')) return -1;
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
                continue;
            }
            switch (c) {
                case '"' -> inString = true;
                case '{', '[' -> {
                    if (++depth > MAX_DEPTH) return -1;
                }
                case '}', ']' -> {
                    if (--depth == 0) return i + 1;
                }
                default -> { }
            }
        }
        return -1;
    }

    /** The first index at or after {@code i} that is not JSON whitespace. */
    static int skipWs(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\n' || s.charAt(i) == '\r' || s.charAt(i) == '\t')) i++;
        return i;
    }
}
