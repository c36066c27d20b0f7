package dev.winnow.grammar;

import java.util.ArrayList;
import java.util.List;

/** GBNF alternatives matching exactly the decimal integers in [lo, hi] (0 ≤ lo ≤ hi), without leading zeros. */
final class IntRanges {
    private IntRanges() {
    }

    static List<String> between(long lo, long hi) {
        if (lo < 0 || lo > hi) throw new IllegalArgumentException("bad range " + lo + ".." + hi);
        List<String> out = new ArrayList<>();
        String a = Long.toString(lo), b = Long.toString(hi);
        for (int len = a.length(); len <= b.length(); len++) {
            String from = len == a.length() ? a : (len == 1 ? "0" : "1" + "0".repeat(len - 1));
            String to = len == b.length() ? b : "9".repeat(len);
            sameLength(from, to, out, "");
        }
        return out;
    }

    /** Numbers of equal length between from and to (digit strings), each alternative prefixed. */
    private static void sameLength(String from, String to, List<String> out, String prefix) {
        if (from.isEmpty()) {
            out.add(prefix.isEmpty() ? "\"\"" : prefix.strip());
            return;
        }
        char f = from.charAt(0), t = to.charAt(0);
        String fr = from.substring(1), tr = to.substring(1);
        if (f == t) {
            sameLength(fr, tr, out, prefix + "\"" + f + "\" ");
            return;
        }
        boolean fromLow = fr.chars().allMatch(c -> c == '0');
        boolean toHigh = tr.chars().allMatch(c -> c == '9');
        char midLo = fromLow ? f : (char) (f + 1);
        char midHi = toHigh ? t : (char) (t - 1);
        if (!fromLow) sameLength(fr, "9".repeat(fr.length()), out, prefix + "\"" + f + "\" ");
        if (midLo <= midHi) {
            String cls = midLo == midHi ? "\"" + midLo + "\"" : "[" + midLo + "-" + midHi + "]";
            out.add((prefix + cls + (fr.isEmpty() ? "" : " [0-9]{" + fr.length() + "}")).strip());
        }
        if (!toHigh) sameLength("0".repeat(tr.length()), tr, out, prefix + "\"" + t + "\" ");
    }
}
