package dev.winnow.gguf;

/**
 * Makes text taken from a file safe to print in a message: control characters (C0, DEL, C1) are
 * escaped as {@code \xNN} / {@code \\uNNNN} so a hostile name cannot drive the terminal, and long
 * names are cut, saying how long they were.
 */
public final class Printable {
    /** Names longer than this are cut in messages. */
    public static final int MAX_NAME = 120;

    private Printable() {
    }

    /** {@code s} with control characters escaped, cut to {@link #MAX_NAME} characters. */
    public static String name(String s) {
        String e = escape(s.length() > MAX_NAME ? s.substring(0, MAX_NAME) : s);
        return s.length() > MAX_NAME ? e + "...(" + s.length() + " chars)" : e;
    }

    /** Longest {@link #message} in characters, before the note saying how long it was. */
    public static final int MAX_MESSAGE = 1_500;

    /**
     * An error message that quotes outside input: control characters escaped, and cut to
     * {@link #MAX_MESSAGE} characters (escaping can make a quoted value six times longer).
     */
    public static String message(String s) {
        String e = escape(s);
        return e.length() <= MAX_MESSAGE ? e : e.substring(0, MAX_MESSAGE) + "...(cut: " + e.length() + " chars)";
    }

    /** {@code s} with control characters escaped (newline and tab too), nothing cut. */
    public static String escape(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f);
            if (control && b == null) b = new StringBuilder(s.length() + 16).append(s, 0, i);
            if (b == null) continue;
            if (control) b.append(c <= 0xff ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b == null ? s : b.toString();
    }
}
