package dev.winnow.template;

import java.util.Arrays;

/** Template source text (newlines normalized) with offset → line/column mapping. */
final class Source {
    final String text;
    private final int[] lineStarts;

    Source(String text) {
        this.text = text;
        int[] starts = new int[16];
        int n = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                if (n == starts.length) starts = Arrays.copyOf(starts, n * 2);
                starts[n++] = i + 1;
            }
        }
        this.lineStarts = Arrays.copyOf(starts, n);
    }

    /**
     * Normalizes line endings like Jinja ({@code \r\n} and {@code \r} become {@code \n}) and, unless
     * {@code keepTrailingNewline}, removes one trailing newline.
     */
    static String normalize(String source, boolean keepTrailingNewline) {
        String s = source.indexOf('\r') >= 0 ? source.replace("\r\n", "\n").replace('\r', '\n') : source;
        if (!keepTrailingNewline && s.endsWith("\n")) s = s.substring(0, s.length() - 1);
        return s;
    }

    int line(int pos) {
        int i = Arrays.binarySearch(lineStarts, pos);
        return i >= 0 ? i + 1 : -i - 1;
    }

    int column(int pos) {
        return pos - lineStarts[line(pos) - 1] + 1;
    }

    TemplateException error(TemplateException.Kind kind, String reason, int pos) {
        if (pos < 0) return new TemplateException(kind, reason, 0, 0);
        int p = Math.min(pos, text.length());
        return new TemplateException(kind, reason, line(p), column(p));
    }
}
