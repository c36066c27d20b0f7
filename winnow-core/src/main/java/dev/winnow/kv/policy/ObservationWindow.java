package dev.winnow.kv.policy;

/**
 * The rules shared by the observation-window policies (SnapKV, PyramidKV, Ada-KV, ChunkKV), so
 * they cannot drift apart: the {@code window} parameter (at most the budget), the default
 * schedule (compress the prompt once after prefill: {@code trigger=prefill}) and the slack when
 * decode-time compression is asked for (the window: a head holds at most its budget + window
 * entries, and the window's queries are all new when they score).
 */
final class ObservationWindow {
    static final String SLACK_HELP = "with trigger=decode|always: compress every slack decoded tokens "
            + "(a head holds at most its budget + slack); 0 or 1: every token";
    static final String TRIGGER_HELP = "prefill (the papers': compress each prompt once, after prefill) | "
            + "chunks (also between prompt chunks) | decode (also while decoding) | always (both)";

    private ObservationWindow() {
    }

    /** Reads {@code window} (default 32) and checks it fits a fixed budget. */
    static int read(Params p, Budget b) {
        int window = p.getInt("window", 32, 1);
        if (!b.isRatio() && window > b.entries()) {
            throw new KvSpecException(p.policy() + ": window (" + window + ") exceeds the budget " + b.entries());
        }
        return window;
    }

    /** The default decode-time slack: the window. */
    static int slack(int window) {
        return window;
    }
}
