package dev.winnow.server;

import dev.winnow.generate.BatchListener;
import dev.winnow.generate.Generation;
import dev.winnow.kv.KvStats;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One request between its HTTP handler (a virtual thread) and the scheduler thread: the
 * scheduler reports what happens as {@link Event}s, the handler takes them and writes the
 * response; the handler cancels when the client went away.
 */
final class Job implements BatchListener {
    /** What the scheduler reports, in order: tokens, then exactly one Finished or Failed. */
    sealed interface Event permits Token, Finished, Failed {
    }

    /** A generated token; {@code text} may be "" (held back); {@code logprobs} only when asked for. */
    record Token(int id, String text, Logprobs.Entry logprobs) implements Event {
    }

    /**
     * The generation ended.
     *
     * @param cachedTokens prompt tokens that were already in a cached conversation
     * @param stats the sequence's cache when it ended
     * @param speculation speculative decoding's counts; null when the request did not speculate
     */
    record Finished(Generation generation, int cachedTokens, KvStats stats, String kv, Speculation speculation)
            implements Event {
    }

    /** Speculative decoding in one generation: verification passes, draft tokens proposed and accepted. */
    record Speculation(String spec, long steps, long drafted, long accepted) {
    }

    /** The request could not be served (before or after streaming started). */
    record Failed(ApiException error) implements Event {
    }

    final GenerationRequest request;
    final long createdNanos = System.nanoTime();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Logprobs logprobs;
    private volatile boolean cancelled;
    /** Set by the scheduler when the sequence is admitted, for metrics. */
    long admittedNanos;
    long lastTokenNanos;
    int tokens;
    int cachedTokens;

    Job(GenerationRequest request, Logprobs logprobs) {
        this.request = request;
        this.logprobs = logprobs;
    }

    /** The client went away (or the handler gave up): the scheduler stops the sequence at its next step. */
    void cancel() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** The next event, or null after the timeout. */
    Event next(long timeoutMillis) throws InterruptedException {
        return events.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    void fail(ApiException e) {
        events.add(new Failed(e));
    }

    void finished(Generation g, KvStats stats, String kv, Speculation speculation) {
        events.add(new Finished(g, cachedTokens, stats, kv, speculation));
    }

    // ---- BatchListener: called on the scheduler thread ----

    /** Set by the scheduler before it calls the engine: where this job's token timings go. */
    Metrics metrics;

    @Override
    public void onToken(int token, String text, float[] logits) {
        long now = System.nanoTime();
        if (metrics != null) {
            if (tokens == 0) metrics.firstToken(now - createdNanos);
            else metrics.interToken(now - lastTokenNanos);
        }
        lastTokenNanos = now;
        tokens++;
        Logprobs.Entry lp = request.wantsLogprobs() ? logprobs.entry(token, logits, request.logprobs()) : null;
        events.add(new Token(token, text, lp));
    }

    @Override
    public void onText(String text) {
        events.add(new Token(-1, text, null));
    }

    /** Set by the scheduler's {@link #onFinish} handling. */
    Generation generation;

    @Override
    public void onFinish(Generation g) {
        generation = g;
    }

    /** Set when the step failed for this sequence. */
    RuntimeException error;

    @Override
    public void onError(RuntimeException e) {
        error = e;
    }
}
