package dev.winnow.server;

import dev.winnow.generate.BatchEngine;
import dev.winnow.generate.BatchSequence;
import dev.winnow.generate.ContextOverflowException;
import dev.winnow.generate.Generation;
import dev.winnow.generate.Session;
import dev.winnow.generate.StopReason;
import dev.winnow.generate.speculative.SpeculationStats;
import dev.winnow.kv.KvStats;
import dev.winnow.kv.policy.KvPolicy;
import dev.winnow.model.Model;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one thread that runs the model. Each round it stops the sequences whose clients went away,
 * admits waiting requests while there is a free slot ({@code --parallel}) and KV memory
 * ({@link KvPool}: idle conversations are dropped first, least recently used), and runs one
 * {@link BatchEngine#step} over the active sequences. Requests that wait longer than the queue
 * timeout, or find the queue full, are answered 429.
 */
final class Scheduler implements AutoCloseable {
    /** How long a request may wait for a slot or memory before it is answered 429. */
    static final long QUEUE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    static final int RETRY_AFTER_SECONDS = 1;

    private record Running(Job job, BatchSequence seq) {
    }

    private final Model model;
    private final ServerConfig config;
    private final Metrics metrics;
    private final BatchEngine engine;
    private final KvPool pool;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Job> waiting = new ArrayDeque<>();
    private final List<Running> running = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopping;

    Scheduler(Model model, ServerConfig config, Metrics metrics) {
        this.model = model;
        this.config = config;
        this.metrics = metrics;
        this.engine = new BatchEngine(model, config.parallel() + Session.DEFAULT_BATCH, Session.DEFAULT_BATCH);
        this.pool = new KvPool(config.kvMemoryBytes(), model.config(), Session.DEFAULT_BATCH);
        this.thread = Thread.ofPlatform().name("winnow-scheduler").daemon(true).unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    /** Queues a job, or answers 429 at once when the queue is full. */
    void submit(Job job) {
        lock.lock();
        try {
            if (stopping) throw new ApiException(503, "server_error", null, "shutting_down", "the server is shutting down", 0);
            long free = Math.max(0, config.parallel() - metrics.activeSequences.get());
            if (waiting.size() >= config.queueLength() + free) {
                metrics.rejected.increment();
                throw ApiException.busy("the server is busy: " + metrics.activeSequences.get() + " sequences running and "
                        + waiting.size() + " requests waiting (--parallel " + config.parallel() + "); retry later",
                        RETRY_AFTER_SECONDS);
            }
            waiting.add(job);
            metrics.queueLength.set(waiting.size());
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the scheduler thread is running. */
    boolean alive() {
        return thread.isAlive() && !stopping;
    }

    private void loop() {
        while (!stopping) {
            try {
                stopCancelled();
                admit();
                if (running.isEmpty()) {
                    idleWait();
                    continue;
                }
                List<BatchSequence> seqs = new ArrayList<>(running.size());
                for (Running r : running) seqs.add(r.seq);
                engine.step(seqs);
                collect();
            } catch (RuntimeException | Error e) {
                // A bug, or memory ran out: fail the running requests, keep serving.
                for (Running r : running) {
                    r.job.fail(new ApiException(500, "server_error", null, null, "internal error: " + e, 0));
                    pool.release(r.seq);
                }
                running.clear();
                metrics.activeSequences.set(0);
                System.getLogger("winnow.server").log(System.Logger.Level.ERROR, "scheduler step failed", e);
            }
        }
        shutdownJobs();
    }

    private void idleWait() {
        lock.lock();
        try {
            if (waiting.isEmpty() && !stopping) work.await(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopping = true;
        } finally {
            lock.unlock();
        }
    }

    private void stopCancelled() {
        for (Running r : running) if (r.job.cancelled()) r.seq.cancel();
    }

    /** Admits waiting jobs in order while a slot and memory are free; times out old ones. */
    private void admit() {
        long now = System.nanoTime();
        while (true) {
            Job job;
            lock.lock();
            try {
                // Jobs whose client left or that waited too long leave the queue.
                for (Iterator<Job> it = waiting.iterator(); it.hasNext(); ) {
                    Job j = it.next();
                    if (j.cancelled()) {
                        it.remove();
                    } else if (now - j.createdNanos > QUEUE_TIMEOUT_NANOS) {
                        it.remove();
                        metrics.rejected.increment();
                        j.fail(ApiException.busy("waited " + TimeUnit.NANOSECONDS.toSeconds(QUEUE_TIMEOUT_NANOS)
                                + " s for KV memory or a free slot; retry later", RETRY_AFTER_SECONDS));
                    }
                }
                metrics.queueLength.set(waiting.size());
                job = waiting.peek();
                if (job == null || running.size() >= config.parallel()) return;
                if (!tryAdmit(job)) return;
                waiting.poll();
                metrics.queueLength.set(waiting.size());
            } finally {
                lock.unlock();
            }
        }
    }

    /** Starts the job's sequence if its KV memory fits (after dropping idle conversations); false to keep it waiting. */
    private boolean tryAdmit(Job job) {
        GenerationRequest req = job.request;
        int[] prompt = req.prompt();
        String kv = req.kv().toString();
        int ctx = config.contextLength();
        int max = req.params().maxTokens();
        int total = (int) Math.min(ctx, (long) prompt.length + (max < 0 ? ctx : max));
        BatchSequence seq = pool.takeBestIdle(prompt, kv);
        int common = 0;
        if (seq != null) {
            common = Math.min(seq.commonPrefix(prompt), prompt.length - 1);
            if (!seq.rewind(common)) {
                pool.release(seq);
                seq = null;
                common = 0;
            }
        }
        KvPolicy policy = seq == null ? RequestParser.newPolicy(req.kv()) : seq.policy();
        KvPool.EntryCost cost = pool.cost(kv, () -> new BatchSequence(model, KvPool.PROBE_ENTRIES, RequestParser.newPolicy(req.kv())).cache());
        long need = seq == null ? pool.estimate(policy, prompt.length, total, cost) : pool.estimate(seq, prompt.length, total, cost);
        long held = seq == null ? 0 : pool.reservation(seq);
        if (need > pool.budget()) {
            if (seq != null) pool.release(seq);
            job.fail(new ApiException(400, "invalid_request_error", req.chat() ? "messages" : "prompt", "kv_memory_exceeded",
                    "this request needs up to " + need + " bytes of KV cache (" + prompt.length + " prompt tokens + "
                    + (max < 0 ? "up to the context" : max + " tokens") + "), more than the server's whole KV memory of "
                    + pool.budget() + " bytes (--kv-memory); ask for fewer tokens or use a compressed \"kv\" spec", 0));
            return true;
        }
        if (!pool.fits(need, held)) {
            metrics.idleDropped.add(pool.dropIdleFor(need, held));
        }
        if (!pool.fits(need, held)) {
            if (seq != null) pool.park(seq, kv, config.maxIdleConversations()); // back to the idle list; wait
            return false;
        }
        if (seq == null) seq = new BatchSequence(model, ctx, policy);
        seq.cache().reserve((int) pool.entries(policy, prompt.length, total));
        pool.reserve(seq, need);
        job.metrics = metrics;
        try {
            seq.speculate(req.speculate()); // checked by the parser: the request's KV policy can roll back
            seq.start(Arrays.copyOfRange(prompt, common, prompt.length), req.params(), job);
        } catch (ContextOverflowException e) {
            pool.release(seq);
            job.fail(new ApiException(400, "invalid_request_error", req.chat() ? "messages" : "prompt",
                    "context_length_exceeded", e.getMessage(), 0));
            return true;
        } catch (IllegalArgumentException e) {
            pool.release(seq);
            job.fail(ApiException.invalid(req.chat() ? "messages" : "prompt", e.getMessage()));
            return true;
        }
        job.cachedTokens = seq.cachedPromptTokens();
        job.admittedNanos = System.nanoTime();
        running.add(new Running(job, seq));
        metrics.activeSequences.set(running.size());
        metrics.idleConversations.set(pool.idleCount());
        metrics.kvBytesReserved.set(pool.reserved());
        return true;
    }

    /** After a step: finished sequences report and become idle conversations; failed ones are freed. */
    private void collect() {
        for (Iterator<Running> it = running.iterator(); it.hasNext(); ) {
            Running r = it.next();
            Job job = r.job;
            if (job.error != null) {
                it.remove();
                pool.release(r.seq);
                job.fail(new ApiException(500, "server_error", null, null, "generation failed: " + job.error.getMessage(), 0));
            } else if (job.generation != null) {
                it.remove();
                Generation g = job.generation;
                KvStats stats = r.seq.cache().stats();
                metrics.promptTokens.add(job.request.prompt().length);
                metrics.cachedPromptTokens.add(job.cachedTokens);
                metrics.completionTokens.add(g.tokens().length);
                if (g.stopReason() == StopReason.CANCELLED) {
                    metrics.cancelled.increment();
                    pool.release(r.seq);
                } else {
                    pool.park(r.seq, job.request.kv().toString(), config.maxIdleConversations());
                }
                job.finished(g, stats, job.request.kv().toString(), speculation(r.seq));
            }
        }
        metrics.kvHeld(pool.measure());
        metrics.kvBytesReserved.set(pool.reserved());
        metrics.activeSequences.set(running.size());
        metrics.idleConversations.set(pool.idleCount());
    }

    private static Job.Speculation speculation(BatchSequence seq) {
        String spec = seq.speculating();
        if (spec == null) return null;
        SpeculationStats s = seq.speculationStats();
        return new Job.Speculation(spec, s.steps(), s.drafted(), s.accepted());
    }

    private void shutdownJobs() {
        ApiException down = new ApiException(503, "server_error", null, "shutting_down", "the server is shutting down", 0);
        lock.lock();
        try {
            for (Job j : waiting) j.fail(down);
            waiting.clear();
        } finally {
            lock.unlock();
        }
        for (Running r : running) {
            r.job.fail(down);
            pool.release(r.seq);
        }
        running.clear();
        metrics.activeSequences.set(0);
        metrics.queueLength.set(0);
    }

    /** Stops the thread: waiting and running requests are answered 503 (or an error frame when streaming). */
    @Override
    public void close() {
        stopping = true;
        lock.lock();
        try {
            work.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
