package dev.winnow.generate;

import java.util.List;

/**
 * Finds stop strings in streamed text and holds back text that might be the start of one, so
 * a stop string is never emitted, not even in part.
 */
final class StopStringMatcher {
    private final List<String> stops;
    private final StringBuilder text = new StringBuilder();
    private int emitted;
    private boolean stopped;

    StopStringMatcher(List<String> stops) {
        this.stops = stops;
    }

    /** Adds decoded text; returns the part that can be emitted now. */
    String add(String piece) {
        if (stopped) return "";
        text.append(piece);
        int cut = -1;
        for (String s : stops) {
            int i = text.indexOf(s, Math.max(0, emitted - s.length() + 1));
            if (i >= 0 && (cut < 0 || i < cut)) cut = i;
        }
        if (cut >= 0) {
            stopped = true;
            text.setLength(cut);
            return drain(cut);
        }
        return drain(text.length() - heldBack());
    }

    /** The rest when generation ends without a stop string. */
    String finish() {
        return stopped ? "" : drain(text.length());
    }

    boolean stopped() {
        return stopped;
    }

    String text() {
        return text.toString();
    }

    private String drain(int upTo) {
        upTo = Math.max(upTo, emitted);
        String out = text.substring(emitted, upTo);
        emitted = upTo;
        return out;
    }

    private boolean endsWithPrefix(String s, int len) {
        int start = text.length() - len;
        for (int i = 0; i < len; i++) {
            if (text.charAt(start + i) != s.charAt(i)) return false;
        }
        return true;
    }

    /** Length of the longest suffix of the text that is a proper prefix of a stop string. */
    private int heldBack() {
        int best = 0;
        for (String s : stops) {
            for (int len = Math.min(s.length() - 1, text.length() - emitted); len > best; len--) {
                if (endsWithPrefix(s, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }
}
