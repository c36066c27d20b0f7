package dev.winnow.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The thread pool kernels split their work over. A range {@code [0, n)} is cut into one
 * contiguous chunk per thread (memory-bound kernels want exactly that); the caller runs the
 * first chunk itself.
 *
 * <p>Decoding one token of a small model makes hundreds of parallel calls of a few microseconds
 * each, so hand-off latency matters: workers spin briefly on a generation counter between calls
 * (no queue, no allocation) and park only after a quiet spell. Calls from several threads are
 * serialised; a call made while the pool is busy (e.g. from inside a body) runs inline.
 */
public final class Parallel implements AutoCloseable {
    /** Work on the sub-range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    /** Busy-spin iterations before yielding (about a microsecond). */
    private static final int SPINS = 100;
    /** Yields before parking: on a loaded machine a yield hands the core to whoever needs it. */
    private static final int YIELDS = 200;

    private static volatile Parallel shared;

    private final int threads;
    private final Thread[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Task task = new Task(null, 0, 1, 0);
    private volatile boolean closed;

    /** One call: what to run, split how, and how many worker chunks are still running. */
    private static final class Task {
        final RangeBody body;
        final int n;
        final int chunks;
        final int generation;
        final AtomicInteger pending;
        final Thread caller = Thread.currentThread();
        volatile Throwable failure;

        Task(RangeBody body, int n, int chunks, int generation) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.generation = generation;
            this.pending = new AtomicInteger(chunks - 1);
        }

        int from(int chunk) {
            return (int) ((long) n * chunk / chunks);
        }
    }

    public Parallel(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int chunk = i + 1;
            Thread t = new Thread(() -> work(chunk), "winnow-worker-" + chunk);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
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
        int c = Math.max(1, Math.min(threads, n / Math.max(1, minChunk)));
        // Inline: nothing to split, the pool is closed, or this is a nested call (from inside a body, on the
        // caller or a worker) — publishing a task then would let a worker skip the outer one.
        if (c == 1 || closed || lock.isHeldByCurrentThread() || isWorker()) {
            body.run(0, n);
            return;
        }
        lock.lock();
        try {
            Task t = new Task(body, n, c, task.generation + 1);
            task = t; // publishes the call
            for (int i = 0; i < c - 1; i++) LockSupport.unpark(workers[i]);
            body.run(0, t.from(1));
            // Spin briefly (short kernels finish within microseconds), then park until the last worker unparks us.
            for (int spins = 0; t.pending.get() > 0; spins++) idle(spins, 200_000);
            Throwable f = t.failure;
            if (f != null) {
                if (f instanceof RuntimeException re) throw re;
                if (f instanceof Error e) throw e;
                throw new IllegalStateException(f);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits a little: spin, then yield, then park (woken early by unpark). */
    private void idle(int round, long parkNanos) {
        if (round < SPINS) {
            Thread.onSpinWait();
        } else if (round < SPINS + YIELDS) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(this, parkNanos);
        }
    }

    private boolean isWorker() {
        Thread me = Thread.currentThread();
        for (Thread w : workers) if (w == me) return true;
        return false;
    }

    private void work(int chunk) {
        int seen = 0; // the initial task: a call published before this thread starts must still be seen
        while (!closed) {
            Task t = task;
            int spins = 0;
            while (t.generation == seen && !closed) {
                idle(spins++, 1_000_000);
                t = task;
            }
            if (closed) return;
            seen = t.generation;
            if (chunk < t.chunks) {
                try {
                    t.body.run(t.from(chunk), t.from(chunk + 1));
                } catch (Throwable e) {
                    t.failure = e;
                } finally {
                    if (t.pending.decrementAndGet() == 0) LockSupport.unpark(t.caller);
                }
            }
        }
    }

    @Override
    public void close() {
        if (this == shared) return;
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
