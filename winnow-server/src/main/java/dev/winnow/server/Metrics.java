package dev.winnow.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The server's counters, gauges and latency histograms, written in the Prometheus text format. */
final class Metrics {
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    final LongAdder promptTokens = new LongAdder();
    final LongAdder cachedPromptTokens = new LongAdder();
    final LongAdder completionTokens = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder cancelled = new LongAdder();
    final LongAdder idleDropped = new LongAdder();
    final AtomicLong queueLength = new AtomicLong();
    final AtomicLong activeSequences = new AtomicLong();
    final AtomicLong idleConversations = new AtomicLong();
    final AtomicLong kvBytesHeld = new AtomicLong();
    final AtomicLong kvBytesHeldPeak = new AtomicLong();
    final AtomicLong kvBytesReserved = new AtomicLong();
    final long kvBytesBudget;
    private final Histogram ttft = new Histogram("winnow_time_to_first_token_seconds",
            "Time from a request's arrival to its first generated token.",
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30);
    private final Histogram itl = new Histogram("winnow_inter_token_latency_seconds",
            "Time between consecutive generated tokens of one request.",
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5);

    Metrics(long kvBytesBudget) {
        this.kvBytesBudget = kvBytesBudget;
    }

    void request(String endpoint, int status) {
        requests.computeIfAbsent(endpoint + "\u0000" + status, k -> new LongAdder()).increment();
    }

    void firstToken(long nanos) {
        ttft.observeNanos(nanos);
    }

    void interToken(long nanos) {
        itl.observeNanos(nanos);
    }

    void kvHeld(long bytes) {
        kvBytesHeld.set(bytes);
        kvBytesHeldPeak.accumulateAndGet(bytes, Math::max);
    }

    String prometheus() {
        StringBuilder out = new StringBuilder(4096);
        out.append("# HELP winnow_requests_total HTTP requests by endpoint and status.\n");
        out.append("# TYPE winnow_requests_total counter\n");
        Map<String, Long> sorted = new TreeMap<>();
        requests.forEach((k, v) -> sorted.put(k, v.sum()));
        sorted.forEach((k, v) -> {
            int sep = k.indexOf('\u0000');
            out.append("winnow_requests_total{endpoint=\"").append(k, 0, sep).append("\",status=\"")
                    .append(k.substring(sep + 1)).append("\"} ").append(v).append('\n');
        });
        counter(out, "winnow_prompt_tokens_total", "Prompt tokens of all requests (cached ones included).", promptTokens.sum());
        counter(out, "winnow_prompt_tokens_cached_total", "Prompt tokens reused from a cached conversation.", cachedPromptTokens.sum());
        counter(out, "winnow_completion_tokens_total", "Generated tokens.", completionTokens.sum());
        counter(out, "winnow_rejected_total", "Requests answered 429 (no slot or KV memory).", rejected.sum());
        counter(out, "winnow_cancelled_total", "Sequences stopped because the client went away.", cancelled.sum());
        counter(out, "winnow_idle_conversations_dropped_total", "Cached conversations dropped to make room.", idleDropped.sum());
        gauge(out, "winnow_queue_length", "Requests waiting for a slot or KV memory.", queueLength.get());
        gauge(out, "winnow_active_sequences", "Sequences prefilling or generating.", activeSequences.get());
        gauge(out, "winnow_idle_conversations", "Finished conversations kept for prefix reuse.", idleConversations.get());
        gauge(out, "winnow_kv_bytes_held", "Bytes allocated by all KV caches (active and idle).", kvBytesHeld.get());
        gauge(out, "winnow_kv_bytes_held_peak", "Most bytes all KV caches held at once since the start.", kvBytesHeldPeak.get());
        gauge(out, "winnow_kv_bytes_reserved", "Bytes reserved for admitted sequences (at least what they hold).", kvBytesReserved.get());
        gauge(out, "winnow_kv_bytes_budget", "The KV memory budget (--kv-memory).", kvBytesBudget);
        ttft.write(out);
        itl.write(out);
        return out.toString();
    }

    private static void counter(StringBuilder out, String name, String help, long v) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" counter\n").append(name).append(' ').append(v).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, long v) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(v).append('\n');
    }
}
