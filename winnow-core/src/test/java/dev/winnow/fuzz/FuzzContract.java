package dev.winnow.fuzz;

import java.util.Arrays;

/**
 * The failure contract every fuzz target checks: code fed hostile input either succeeds or
 * throws one of the documented exception types, with a message that is a single printable line
 * of bounded length (it may be shown in a terminal or an HTTP error). Any other throwable
 * (NullPointerException, IndexOutOfBoundsException, OutOfMemoryError, …) propagates and is a
 * finding; a hang is caught by the per-input timeout of the fuzz test.
 */
public final class FuzzContract {
    /** Longest message accepted: a one-line error, not a dump of the input. */
    public static final int MAX_MESSAGE = 2_000;

    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    private FuzzContract() {
    }

    /** Runs {@code action}; an exception of an {@code allowed} type must carry a one-line message. */
    @SafeVarargs
    public static void expectOnly(Action action, Class<? extends Throwable>... allowed) throws Exception {
        try {
            action.run();
        } catch (Exception e) {
            if (Arrays.stream(allowed).noneMatch(c -> c.isInstance(e))) throw e;
            checkMessage(e);
        }
    }

    /** The message of an expected exception: present, one line, no control characters, bounded. */
    public static void checkMessage(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) throw new AssertionError("empty message in " + e.getClass().getName(), e);
        if (m.length() > MAX_MESSAGE) {
            throw new AssertionError("message of " + m.length() + " characters in " + e.getClass().getName(), e);
        }
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                throw new AssertionError("control character U+" + String.format("%04X", (int) c) + " at " + i
                        + " in the message of " + e.getClass().getName() + ": " + m.substring(0, Math.min(i, 200)), e);
            }
        }
    }
}
