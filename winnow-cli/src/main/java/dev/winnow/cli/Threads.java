package dev.winnow.cli;

import dev.winnow.tensor.Parallel;

/** The thread pool for a {@code -t/--threads} option. */
public final class Threads {
    private Threads() {
    }

    /** The requested thread count, clamped to the available processors (more only adds contention). */
    static int count(Integer threads) {
        int cores = Runtime.getRuntime().availableProcessors();
        int n = threads == null ? cores : threads;
        if (n < 1) throw new CliException("--threads must be at least 1, got " + n);
        return Math.min(n, cores);
    }

    /** {@link #pool(Integer)}, noting on {@code err} when the request was clamped. */
    public static Parallel pool(Integer threads, java.io.PrintWriter err) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (threads != null && threads > cores) {
            err.println("winnow: note: --threads " + threads + " is more than the " + cores
                    + " available processors; using " + cores);
            err.flush();
        }
        return pool(threads);
    }

    /** The shared pool when it has the requested size, else a new one (close it when done). */
    static Parallel pool(Integer threads) {
        int n = count(threads);
        return n == Runtime.getRuntime().availableProcessors() ? Parallel.shared() : new Parallel(n);
    }
}
