package dev.winnow.cli;

import dev.winnow.tensor.Parallel;

/** The thread pool for a {@code -t/--threads} option. */
final class Threads {
    private Threads() {
    }

    static int count(Integer threads) {
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (n < 1) throw new CliException("--threads must be at least 1, got " + n);
        return n;
    }

    /** The shared pool when it has the requested size, else a new one (close it when done). */
    static Parallel pool(Integer threads) {
        int n = count(threads);
        return n == Runtime.getRuntime().availableProcessors() ? Parallel.shared() : new Parallel(n);
    }
}
