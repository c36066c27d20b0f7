package dev.winnow.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The thread pool kernels split their work over. A range {@code [0, n)} is cut into one
 * contiguous chunk per thread (memory-bound kernels want exactly that); the caller runs the
 * first chunk itself.
 */
public final class Parallel implements AutoCloseable {
    /** Work on the sub-range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static volatile Parallel shared;

    private final int threads;
    private final ForkJoinPool pool;

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads - 1, p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("winnow-worker-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** A pool with one thread per available processor, shared by default. */
    public static Parallel shared() {
        Parallel p = shared;
        if (p == null) {
            synchronized (Parallel.class) {
                p = shared;
                if (p == null) shared = p = new Parallel(Runtime.getRuntime().availableProcessors());
            }
        }
        return p;
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code body} over {@code [0, n)} split into up to {@link #threads()} chunks. */
    public void forRange(int n, RangeBody body) {
        forRange(n, 1, body);
    }

    /** Like {@link #forRange(int, RangeBody)}, never making chunks smaller than {@code minChunk}. */
    public void forRange(int n, int minChunk, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.max(1, Math.min(threads, n / Math.max(1, minChunk)));
        if (chunks == 1 || pool == null) {
            body.run(0, n);
            return;
        }
        @SuppressWarnings("unchecked")
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            tasks[c - 1] = pool.submit(() -> body.run(from, to));
        }
        body.run(0, (int) ((long) n / chunks));
        for (ForkJoinTask<?> t : tasks) t.join();
    }

    @Override
    public void close() {
        if (pool != null && this != shared) pool.shutdown();
    }
}
