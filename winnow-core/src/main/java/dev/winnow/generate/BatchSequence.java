package dev.winnow.generate;

import dev.winnow.generate.speculative.Drafter;
import dev.winnow.generate.speculative.SpeculateSpec;
import dev.winnow.generate.speculative.SpeculationStats;
import dev.winnow.generate.speculative.SpeculationSupport;
import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.KvPolicy;
import dev.winnow.kv.policy.PolicyContext;
import dev.winnow.model.ForwardState;
import dev.winnow.model.Model;
import dev.winnow.model.ModelConfig;
import dev.winnow.model.Transformer;
import dev.winnow.tokenizer.StreamingDecoder;
import dev.winnow.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * One sequence of a continuous batch (a request or a conversation): its own {@link KvCache} and
 * {@link KvPolicy}, its token history, and while generating a {@link Sampler}, a streaming
 * decoder and stop rules. A {@link BatchEngine} runs it together with other sequences; between
 * generations it keeps its cache, so the next {@link #start} continues the conversation.
 *
 * <p>Only the engine's (scheduler) thread may call the methods, except {@link #cancel()},
 * which any thread may call.
 */
public final class BatchSequence {
    enum Phase { IDLE, PREFILL, DECODE }

    private final Model model;
    private final ModelConfig config;
    private final int contextLength;
    private final KvPolicy policy;
    private final KvCache cache;
    private final PolicyContext policyContext;

    private int[] history = new int[64];
    private int length;
    /** History tokens whose keys and values are in the cache (the rest wait to be run). */
    private int processed;

    private Phase phase = Phase.IDLE;
    private volatile boolean cancelRequested;
    private int cachedPromptTokens;
    // The running generation.
    private GenerationParams params;
    private BatchListener listener;
    private Sampler sampler;
    private StreamingDecoder decoder;
    private StopStringMatcher stops;
    private int[] generated = new int[16];
    private int count;
    private int promptTokens;
    /** True when the prompt is only the token left pending by the previous generation (its run is a decode step). */
    private boolean continuing;
    private long startNanos, prefillDoneNanos;
    // Speculative decoding (null: off). The drafter is kept while the spec stays the same.
    private Drafter drafter;
    private Speculator speculator;
    private final SpeculationStats speculation = new SpeculationStats();
    private float[] decidedLogits = new float[0];
    /** Cache entries of decided tokens after the one being emitted: dropped if generation ends there. */
    private int aheadInCache;

    /**
     * @param contextLength most tokens the sequence holds (prompt + generated), unless the policy
     *        bounds the cache ({@link KvPolicy#unboundedContext()})
     * @param policy a fresh policy for this sequence (see {@code KvSpec.newPolicy()})
     */
    public BatchSequence(Model model, int contextLength, KvPolicy policy) {
        if (contextLength < 1) throw new IllegalArgumentException("context length must be >= 1, got " + contextLength);
        this.model = model;
        this.config = model.config();
        this.contextLength = contextLength;
        this.policy = policy;
        this.cache = new KvCache(config.layers(), config.kvHeads(), config.headSize());
        this.policyContext = PolicyContexts.create(model, contextLength, Session.DEFAULT_BATCH, () -> length, () -> history);
        policy.attach(cache, policyContext);
    }

    public Model model() {
        return model;
    }

    public KvCache cache() {
        return cache;
    }

    public KvPolicy policy() {
        return policy;
    }

    public int contextLength() {
        return contextLength;
    }

    /** The history: tokens processed and not yet processed (e.g. the last generated one). */
    public int[] tokens() {
        return Arrays.copyOf(history, length);
    }

    public int length() {
        return length;
    }

    /** History tokens already run through the model (their entries are in the cache, unless evicted). */
    public int processed() {
        return processed;
    }

    /** Length of the longest common prefix of the history and {@code tokens}. */
    public int commonPrefix(int[] tokens) {
        int n = Math.min(length, tokens.length);
        int i = 0;
        while (i < n && history[i] == tokens[i]) i++;
        return i;
    }

    /**
     * Keeps only the first {@code n} tokens (history and their KV entries). Possible when the
     * cache still maps 1:1 onto the history (the policy keeps every entry, nothing was evicted or
     * re-positioned, no sparse selector keeps state about the entries); returns false and changes
     * nothing otherwise, and while the sequence is active.
     */
    public boolean rewind(int n) {
        if (n < 0 || n > length) throw new IllegalArgumentException("cannot rewind to " + n + " of " + length + " tokens");
        if (active()) return false;
        if (n == length) return true;
        if (n < processed) {
            if (!policy.keepsEveryEntry() || cache.selector() != null || !mapsOntoHistory()) return false;
            int[] keep = new int[n];
            for (int i = 0; i < n; i++) keep[i] = i;
            for (int l = 0; l < config.layers(); l++) {
                for (int h = 0; h < config.kvHeads(); h++) cache.head(l, h).drop(keep);
            }
            if (cache.queries() != null) cache.queries().clear();
            processed = n;
        }
        length = n;
        return true;
    }

    private boolean mapsOntoHistory() {
        for (int l = 0; l < config.layers(); l++) {
            for (int h = 0; h < config.kvHeads(); h++) {
                HeadStore s = cache.head(l, h);
                if (s.size() != processed) return false;
                for (int i = 0; i < processed; i++) {
                    if (s.position(i) != i) return false;
                }
            }
        }
        return true;
    }

    /** Forgets everything: empties the cache and the history (not while active). */
    public void reset() {
        if (active()) throw new IllegalStateException("cannot reset an active sequence; cancel it first");
        clear();
    }

    private void clear() {
        cache.clear();
        length = processed = 0;
        policy.attach(cache, policyContext);
    }

    /**
     * Appends {@code newTokens} to the history (the engine prefills them in chunks), then
     * generates up to {@code params.maxTokens()} tokens, reporting to {@code listener}. With no
     * new tokens, continues after the token the previous generation left pending.
     *
     * @throws ContextOverflowException before changing anything, when the tokens do not fit in the
     *         context and the policy does not bound the cache
     */
    public void start(int[] newTokens, GenerationParams params, BatchListener listener) {
        if (active()) throw new IllegalStateException("the sequence is still generating");
        if (newTokens.length == 0 && processed == length) {
            throw new IllegalArgumentException(length == 0 ? "empty prompt: give at least one token (e.g. BOS)"
                    : "nothing to continue from: give prompt tokens");
        }
        int vocab = config.vocabSize();
        for (int t : newTokens) {
            if (t < 0 || t >= vocab) throw new IllegalArgumentException("token id " + t + " out of range [0, " + vocab + ")");
        }
        if ((long) length + newTokens.length > contextLength && !policy.unboundedContext()) {
            throw new ContextOverflowException((length == 0 ? "a prompt of " + newTokens.length + " tokens"
                    : "adding " + newTokens.length + " tokens to " + length) + " exceeds the context length "
                    + contextLength + " (the model was trained with " + config.contextLength() + ")");
        }
        if (params.maxTokens() >= 0 && policy.keepsEveryEntry()) {
            // As Session.generate: at most twice the context after the prompt.
            long context = (long) length + newTokens.length;
            cache.reserve((int) Math.min(Math.min(context + params.maxTokens(), 2 * context), contextLength));
        }
        cachedPromptTokens = processed;
        continuing = newTokens.length == 0;
        append(newTokens, newTokens.length);
        Tokenizer tok = model.tokenizer();
        this.params = params;
        this.listener = listener;
        this.sampler = new Sampler(params, model.tokenizer());
        this.decoder = hasText(tok) ? tok.continuationDecoder() : tok.streamingDecoder();
        this.stops = new StopStringMatcher(params.stop());
        this.count = 0;
        this.promptTokens = newTokens.length;
        this.cancelRequested = false;
        speculation.clear();
        if (drafter != null) drafter.reset(); // the context may have been rewound (Token Recycling keeps its matrix)
        this.startNanos = System.nanoTime();
        this.prefillDoneNanos = 0;
        this.phase = Phase.PREFILL;
    }

    private boolean hasText(Tokenizer tok) {
        for (int i = 0; i < length; i++) {
            if (!tok.isControl(history[i])) return true;
        }
        return false;
    }

    /** Prefilling or generating. */
    public boolean active() {
        return phase != Phase.IDLE;
    }

    /** Its prompt is still being run through the model. */
    public boolean prefilling() {
        return phase == Phase.PREFILL;
    }

    /** Asks the engine to end the generation at its next step with {@link StopReason#CANCELLED}. Any thread. */
    public void cancel() {
        cancelRequested = true;
    }

    /** Tokens of the last {@link #start} that were already in the cache (reused conversation prefix). */
    public int cachedPromptTokens() {
        return cachedPromptTokens;
    }

    /** Tokens generated so far by the running (or last) generation. */
    public int generatedCount() {
        return count;
    }

    /**
     * Decodes speculatively from the next {@link #start} on ({@code null}: off), as
     * {@link Session#speculate}: the engine verifies this sequence's drafts in a forward pass of its
     * own, and the tokens are those of plain decoding (greedy: identical; sampled: the same
     * distribution). A drafter is kept while the spec stays the same (Token Recycling's matrix
     * keeps learning across requests). Not while active.
     *
     * @throws IllegalArgumentException with a one-line reason when the sequence's KV policy cannot
     *         be rolled back exactly ({@link SpeculationSupport})
     */
    public void speculate(SpeculateSpec spec) {
        if (active()) throw new IllegalStateException("cannot change speculation while the sequence is generating");
        if (spec == null) {
            drafter = null;
            speculator = null;
            return;
        }
        String why = speculationRefusal();
        if (why != null) throw new IllegalArgumentException("cannot speculate with " + spec.name() + ": " + why);
        String text = spec.toString();
        if (drafter == null || !drafter.spec().equals(text)) {
            Drafter d = spec.newDrafter(model);
            String refused = d.refusal();
            if (refused != null) throw new IllegalArgumentException(refused);
            drafter = d;
            speculator = null;
        }
    }

    /** Why speculative decoding cannot run with this sequence's KV policy, or null when it can. */
    public String speculationRefusal() {
        return SpeculationSupport.refusal(policy, cache);
    }

    /** Speculative decoding's counts in the running (or last) generation; all 0 when it does not speculate. */
    public SpeculationStats speculationStats() {
        return speculation;
    }

    /** The drafter's spec, or null when the sequence does not speculate. */
    public String speculating() {
        return drafter == null ? null : drafter.spec();
    }

    // ---- called by BatchEngine ----

    /**
     * Whether the next step is a speculative one: decoding with a drafter and room for at least
     * one more token after the pending one (otherwise a plain decode row ends the generation as
     * usual).
     */
    boolean speculates() {
        return drafter != null && phase == Phase.DECODE && speculationLimit() >= 1;
    }

    /** Most tokens a speculative step may decide: what plain decoding could still sample. */
    private int speculationLimit() {
        long max = params.maxTokens() < 0 ? Long.MAX_VALUE : params.maxTokens();
        return (int) Math.min(max - count, (long) contextLength - length);
    }

    /**
     * One speculative step in its own forward pass ({@code state} is the engine's): runs the
     * pending token with the drafter's tokens, then emits the decided tokens one by one exactly as
     * plain decode steps would have (stop rules, limits, listener); entries of decided tokens after
     * one that ends the generation are dropped, so the cache is plain decoding's.
     *
     * @return the rows run
     */
    int speculativeStep(Transformer transformer, ForwardState state) {
        if (speculator == null || speculator.state() != state) {
            speculator = new Speculator(drafter, transformer, cache, state, policy, policyContext);
        }
        long drafted = speculator.stats().drafted(), accepted = speculator.stats().accepted();
        int n = speculator.step(history, length - 1, history[length - 1], sampler, speculationLimit());
        int acceptedNow = (int) (speculator.stats().accepted() - accepted);
        speculation.add((int) (speculator.stats().drafted() - drafted), acceptedNow);
        if (decidedLogits.length < config.vocabSize()) decidedLogits = new float[config.vocabSize()];
        processed = length; // the root; the policy hooks ran in the step
        for (int i = 0; i < n && phase == Phase.DECODE; i++) {
            if (i > 0) processed++; // decided token i − 1 is in the cache, as if a decode row had run it
            aheadInCache = n - 1 - i;
            speculator.decidedLogits(i, decidedLogits);
            if (!endsBeforeSampling()) emit(decidedLogits, speculator.ahead()[i]);
        }
        aheadInCache = 0;
        return 1 + (int) (speculator.stats().drafted() - drafted);
    }

    Phase phase() {
        return phase;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    int[] history() {
        return history;
    }

    /** Tokens waiting to be run through the model. */
    int unprocessed() {
        return length - processed;
    }

    /** The position of the {@code i}-th token of a pass that starts with the next unprocessed token. */
    int positionFor(int i) {
        return policy.positionFor(cache, processed + i, i);
    }

    /** After a forward pass ran the next {@code n} unprocessed tokens: the policy hook, and true if the prompt is done. */
    boolean ran(int n) {
        processed += n;
        if (phase == Phase.DECODE || continuing && processed == length) {
            policy.afterDecode(cache, policyContext);
        } else if (processed < length) {
            policy.afterPrefillChunk(cache, policyContext);
        } else {
            policy.afterPrefill(cache, policyContext);
        }
        return processed == length;
    }

    /**
     * Samples the next token from {@code logits} (after the last processed token), streams it
     * and applies the stop rules, as {@link Session#generate} does.
     */
    void sample(float[] logits) {
        if (phase == Phase.PREFILL) {
            prefillDoneNanos = System.nanoTime();
            phase = Phase.DECODE;
        }
        if (endsBeforeSampling()) return;
        emit(logits, sampler.sample(logits, config.vocabSize(), history, length));
    }

    /** The limits checked after a token ran and before the next is sampled: true when they end the generation. */
    private boolean endsBeforeSampling() {
        int max = params.maxTokens() < 0 ? Integer.MAX_VALUE : params.maxTokens();
        if (count >= max) {
            finish(StopReason.MAX_TOKENS);
            return true;
        }
        if (length >= contextLength && !policy.unboundedContext()) {
            finish(StopReason.CONTEXT_FULL);
            return true;
        }
        return false;
    }

    /** Appends the token sampled from {@code logits}, streams it and applies the stop rules. */
    private void emit(float[] logits, int next) {
        int max = params.maxTokens() < 0 ? Integer.MAX_VALUE : params.maxTokens();
        Tokenizer tok = model.tokenizer();
        if (count == generated.length) generated = Arrays.copyOf(generated, count * 2);
        generated[count++] = next;
        append(new int[] {next}, 1);
        if (!params.ignoreEos() && tok.isEndOfGeneration(next)) {
            finishWithToken(next, "", logits, StopReason.END_OF_GENERATION);
            return;
        }
        String piece = stops.add(decoder.push(next));
        if (stops.stopped()) {
            finishWithToken(next, piece, logits, StopReason.STOP_STRING);
        } else if (count == max) {
            finishWithToken(next, piece, logits, StopReason.MAX_TOKENS);
        } else {
            listener.onToken(next, piece, logits);
        }
    }

    private void finishWithToken(int token, String piece, float[] logits, StopReason reason) {
        dropAhead();
        String text = piece + tail();
        phase = Phase.IDLE; // before the listener: it may start the sequence again
        BatchListener l = listener;
        l.onToken(token, text, logits);
        l.onFinish(generation(reason));
    }

    /** Ends the generation without a new token; releases held-back text through {@link BatchListener#onText}. */
    void finish(StopReason reason) {
        dropAhead();
        String text = tail();
        phase = Phase.IDLE;
        BatchListener l = listener;
        if (!text.isEmpty()) l.onText(text);
        l.onFinish(generation(reason));
    }

    /** Generation ends inside a speculative step's decided tokens: their entries after the last emitted one go. */
    private void dropAhead() {
        if (aheadInCache > 0) speculator.drop(aheadInCache);
        aheadInCache = 0;
    }

    private String tail() {
        if (stops.stopped()) return "";
        return stops.add(decoder.flush()) + stops.finish();
    }

    private Generation generation(StopReason reason) {
        long now = System.nanoTime();
        long prefillEnd = prefillDoneNanos != 0 ? prefillDoneNanos : now;
        return new Generation(stops.text(), Arrays.copyOf(generated, count), promptTokens, reason,
                prefillEnd - startNanos, now - prefillEnd);
    }

    /**
     * The step failed for this sequence: it becomes inactive and the listener hears of it. After a
     * failed forward pass ({@code clearCache}) the cache may be half-written, so it is emptied.
     */
    void fail(RuntimeException e, boolean clearCache) {
        boolean wasActive = active();
        phase = Phase.IDLE;
        if (clearCache) clear();
        if (!wasActive || listener == null) return;
        try {
            listener.onError(e);
        } catch (RuntimeException ignored) {
            // the listener is broken too; the sequence is already inactive
        }
    }

    private void append(int[] tokens, int n) {
        if (length + n > history.length) history = Arrays.copyOf(history, Math.max(history.length * 2, length + n));
        System.arraycopy(tokens, 0, history, length, n);
        length += n;
    }
}
