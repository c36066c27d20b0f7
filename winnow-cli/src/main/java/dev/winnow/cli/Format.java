package dev.winnow.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Number and table formatting shared by the commands. */
final class Format {
    private Format() {
    }

    /** Bytes in binary units: {@code 1.13 MiB}. */
    static String bytes(long b) {
        if (b < 1024) return b + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    /** A count in decimal units as llama-bench prints parameters: {@code 1.24 B}, {@code 260.10 K}. */
    static String count(long n) {
        if (n >= 1_000_000_000L) return String.format(Locale.ROOT, "%.2f B", n / 1e9);
        if (n >= 1_000_000L) return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        if (n >= 1_000L) return String.format(Locale.ROOT, "%.2f K", n / 1e3);
        return Long.toString(n);
    }

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** Makes control characters visible (for token pieces and metadata strings). */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.toString();
    }

    /** {@link #escape} and cut to {@code max} characters. */
    static String abbreviate(String s, int max) {
        String e = escape(s);
        if (e.length() <= max) return e;
        return e.substring(0, max) + "… (" + s.length() + " chars)";
    }

    /** A plain text table: columns padded to their widest cell; {@code right[i]} aligns column i right. */
    static final class Table {
        private final List<String[]> rows = new ArrayList<>();
        private final boolean[] right;
        private final boolean markdown;

        Table(boolean markdown, boolean[] right, String... header) {
            this.markdown = markdown;
            this.right = right;
            rows.add(header);
        }

        Table row(String... cells) {
            rows.add(cells);
            return this;
        }

        String render() {
            int cols = rows.getFirst().length;
            int[] w = new int[cols];
            for (String[] r : rows) {
                for (int i = 0; i < cols; i++) w[i] = Math.max(w[i], r[i].length());
            }
            StringBuilder sb = new StringBuilder();
            for (int ri = 0; ri < rows.size(); ri++) {
                line(sb, rows.get(ri), w);
                if (ri == 0 && markdown) {
                    String[] sep = new String[cols];
                    for (int i = 0; i < cols; i++) {
                        sep[i] = right[i] ? "-".repeat(Math.max(1, w[i] - 1)) + ":" : "-".repeat(w[i]);
                    }
                    line(sb, sep, w);
                }
            }
            return sb.toString();
        }

        private void line(StringBuilder sb, String[] cells, int[] w) {
            if (markdown) sb.append("| ");
            for (int i = 0; i < cells.length; i++) {
                String c = cells[i];
                String pad = " ".repeat(w[i] - c.length());
                sb.append(right[i] ? pad + c : c + pad);
                if (i < cells.length - 1) sb.append(markdown ? " | " : "  ");
            }
            if (markdown) sb.append(" |");
            else while (sb.charAt(sb.length() - 1) == ' ') sb.setLength(sb.length() - 1);
            sb.append('\n');
        }
    }
}
