package dev.winnow.eval.task;

import dev.winnow.generate.Session;
import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvStats;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import dev.winnow.model.ModelConfig;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;

/**
 * Runs a task's model work for one compression spec and measures it: tasks make their sessions
 * here and run tokens through {@link #prefill}, {@link #evaluate} and {@link #decode}, so every
 * task is timed the same way, and call {@link #observe} at the end of each sequence, which
 * records the KV cache's bytes and entries. Also carries the sweep's cancellation hook and
 * progress callback. One runner serves one cell (not thread-safe).
 */
public final class Runner {
    private final Model model;
    private final KvSpec spec;
    private final int batch;
    private final BooleanSupplier cancelled;
    private final DoubleConsumer progress;

    private long prefillTokens, prefillNanos, decodeTokens, decodeNanos;
    private final TreeMap<Integer, long[]> decodeBuckets = new TreeMap<>(); // bucket → {tokens, nanos}
    private long kvBytes, kvAllocated;
    private int peakEntries;
    private double entriesSum, ratioSum, byteRatioSum;
    private int observations;

    public Runner(Model model, KvSpec spec, int batch, BooleanSupplier cancelled, DoubleConsumer progress) {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        this.model = model;
        this.spec = spec;
        this.batch = batch;
        this.cancelled = cancelled == null ? () -> false : cancelled;
        this.progress = progress == null ? f -> { } : progress;
    }

    /** A runner with no cancellation and no progress reporting. */
    public Runner(Model model, KvSpec spec) {
        this(model, spec, Session.DEFAULT_BATCH, null, null);
    }

    public Model model() {
        return model;
    }

    public KvSpec spec() {
        return spec;
    }

    public int batch() {
        return batch;
    }

    /** A fresh session with the spec's policy holding at most {@code contextLength} tokens (unless the policy is unbounded). */
    public Session newSession(int contextLength) {
        checkCancelled();
        // a batch beyond the context could never fill: its activation buffers would only waste memory
        return new Session(model, contextLength, Math.min(batch, Math.max(1, contextLength)), spec.newPolicy());
    }

    /** Whether the spec lets a session run past its context length (StreamingLLM re-positioning). */
    public boolean unboundedContext() {
        return spec.newPolicy().unboundedContext();
    }

    /** Prompt processing: the logits after the last token. */
    public float[] prefill(Session s, int[] tokens) {
        checkCancelled();
        long t0 = System.nanoTime();
        float[] logits = s.prefill(tokens);
        prefillNanos += System.nanoTime() - t0;
        prefillTokens += tokens.length;
        return logits;
    }

    /** Prompt processing that keeps the logits after every token. */
    public float[][] evaluate(Session s, int[] tokens) {
        checkCancelled();
        long t0 = System.nanoTime();
        float[][] logits = s.evaluate(tokens);
        prefillNanos += System.nanoTime() - t0;
        prefillTokens += tokens.length;
        return logits;
    }

    /** One token through the decode path (the policy's per-token trigger runs): the logits after it. */
    public float[] decode(Session s, int token) {
        if ((decodeTokens & 15) == 0) checkCancelled();
        int context = s.position();
        long t0 = System.nanoTime();
        float[] logits = s.decode(token);
        long dt = System.nanoTime() - t0;
        decodeNanos += dt;
        decodeTokens++;
        long[] b = decodeBuckets.computeIfAbsent(bucket(context), k -> new long[2]);
        b[0]++;
        b[1] += dt;
        return logits;
    }

    /** The context-length bucket: 0 for fewer than 64 tokens, else the power of two at or below. */
    static int bucket(int context) {
        return context < 64 ? 0 : Integer.highestOneBit(context);
    }

    /**
     * Greedy decoding from {@code logits} (the logits after the prompt): up to {@code maxTokens}
     * tokens, stopping after an end-of-generation token (not included). The last token is not
     * run through the model.
     */
    public int[] greedy(Session s, float[] logits, int maxTokens) {
        int vocab = model.config().vocabSize();
        int[] out = new int[maxTokens];
        int n = 0;
        float[] l = logits;
        while (n < maxTokens) {
            int next = dev.winnow.generate.Sampler.argmax(l, vocab);
            if (model.tokenizer().isEndOfGeneration(next)) break;
            out[n++] = next;
            if (n == maxTokens) break;
            if (s.position() >= s.contextLength() && !s.policy().unboundedContext()) break;
            l = decode(s, next);
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** Records the cache of a session at the end of a sequence: bytes, entries, peak, compression ratios (entries, bytes). */
    public void observe(Session s) {
        KvStats st = s.cache().stats();
        ModelConfig c = model.config();
        int heads = c.layers() * c.kvHeads();
        kvBytes = Math.max(kvBytes, st.bytesUsed());
        kvAllocated = Math.max(kvAllocated, st.bytesAllocated());
        peakEntries = Math.max(peakEntries, st.maxPeakEntries());
        entriesSum += (double) st.totalEntries() / heads;
        long full = (long) s.position() * heads;
        ratioSum += full > 0 ? Math.max(0, 1 - (double) st.totalEntries() / full) : 0;
        // the same positions in a full f32 cache: keys and values of 4 bytes plus the per-entry metadata
        long fullBytes = full * (2L * c.headSize() * Float.BYTES + HeadStore.META_BYTES);
        byteRatioSum += fullBytes > 0 ? 1 - (double) st.bytesUsed() / fullBytes : 0;
        observations++;
    }

    /** Reports the fraction of the task's work done (0–1). */
    public void progress(double fraction) {
        progress.accept(Math.max(0, Math.min(1, fraction)));
    }

    /** Throws {@link Cancelled} when the sweep's hook asks to stop. */
    public void checkCancelled() {
        if (cancelled.getAsBoolean()) throw new Cancelled();
    }

    public Measurements measurements() {
        Map<Integer, Double> byContext = new TreeMap<>();
        decodeBuckets.forEach((k, v) -> {
            if (v[1] > 0) byContext.put(k, v[0] * 1e9 / v[1]);
        });
        int n = Math.max(1, observations);
        return new Measurements(prefillTokens, prefillNanos / 1e9, decodeTokens, decodeNanos / 1e9, kvBytes, kvAllocated,
                peakEntries, entriesSum / n, ratioSum / n, byteRatioSum / n, byContext);
    }
}
