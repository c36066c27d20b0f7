package dev.winnow.generate;

import dev.winnow.generate.speculative.SpeculateSpec;
import dev.winnow.generate.speculative.SpeculationStats;
import dev.winnow.generate.speculative.SpeculationSupport;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.KvPolicy;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.kv.policy.NoCompression;
import dev.winnow.kv.policy.PolicyContext;
import dev.winnow.model.ForwardState;
import dev.winnow.model.Model;
import dev.winnow.model.ModelConfig;
import dev.winnow.model.Transformer;
import dev.winnow.tokenizer.StreamingDecoder;
import dev.winnow.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * One conversation with a model: it owns a {@link KvCache} and the token history, processes
 * prompts in chunks (batched prefill) and generates token by token. Successive calls continue
 * the same context (the cache is kept); {@link #reset()} starts over. Not thread-safe: use one
 * session per thread (sessions of one {@link Model} may run concurrently).
 */
public final class Session {
    /** Default prompt chunk size for batched prefill. */
    public static final int DEFAULT_BATCH = 128;

    private final Model model;
    private final Transformer transformer;
    private final ModelConfig config;
    private final KvCache cache;
    private final ForwardState state;
    private final int contextLength;
    private int[] history = new int[256];
    private int length;
    /** A sampled token not yet run through the model (the last one of a generation). */
    private int pending = -1;

    private final KvPolicy policy;
    private final PolicyContext policyContext;
    /** Speculative decoding, or null. */
    private Speculator speculator;

    /** A session with the model's trained context length, the default batch size and no compression. */
    public Session(Model model) {
        this(model, model.config().contextLength(), DEFAULT_BATCH);
    }

    /** A session without KV compression. */
    public Session(Model model, int contextLength, int batchSize) {
        this(model, contextLength, batchSize, new NoCompression());
    }

    /**
     * @param contextLength most tokens the session holds (prompt + generated)
     * @param batchSize prompt tokens processed per forward pass
     * @param policy what to do to the KV cache between forward passes (see {@link KvSpec#newPolicy()})
     */
    public Session(Model model, int contextLength, int batchSize, KvPolicy policy) {
        if (contextLength < 1) throw new IllegalArgumentException("context length must be >= 1, got " + contextLength);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        this.model = model;
        this.transformer = model.transformer();
        this.config = model.config();
        this.contextLength = contextLength;
        this.cache = new KvCache(config.layers(), config.kvHeads(), config.headSize());
        this.state = new ForwardState(config, batchSize);
        this.policy = policy;
        this.policyContext = PolicyContexts.create(model, contextLength, batchSize, () -> length, () -> history);
        policy.attach(cache, policyContext);
    }

    /**
     * Generates with speculative decoding from now on ({@code null}: off): each step verifies the
     * drafter's tokens in one forward pass and keeps what the session's own sampling accepts, so
     * greedy output is token for token that of plain decoding and sampled output has the same
     * distribution.
     *
     * @throws IllegalArgumentException with a one-line reason when the KV policy's state cannot be
     *         rolled back exactly (see {@link SpeculationSupport})
     */
    public void speculate(SpeculateSpec spec) {
        if (spec == null) {
            speculator = null;
            return;
        }
        String why = SpeculationSupport.refusal(policy, cache);
        if (why != null) throw new IllegalArgumentException("cannot speculate with " + spec.name() + ": " + why);
        dev.winnow.generate.speculative.Drafter drafter = spec.newDrafter(model);
        String refused = drafter.refusal();
        if (refused != null) throw new IllegalArgumentException(refused);
        speculator = new Speculator(drafter, transformer, cache, state, policy, policyContext);
    }

    /** For tests: the speculative acceptance rule (default min(1, p/q)). */
    void acceptanceRule(dev.winnow.generate.speculative.SpeculativeSampling.AcceptanceRule rule) {
        speculator.rule(rule);
    }

    /** Counts of speculative decoding since {@link #speculate} (null when off). */
    public SpeculationStats speculationStats() {
        return speculator == null ? null : speculator.stats();
    }

    /** The session's compression policy. */
    public KvPolicy policy() {
        return policy;
    }

    public Model model() {
        return model;
    }

    public KvCache cache() {
        return cache;
    }

    public int contextLength() {
        return contextLength;
    }

    /**
     * Sizes the KV stores for {@code tokens} tokens in all (at most the context length) when the
     * policy keeps every entry, so they do not grow — copy everything — in the middle of a
     * generation. A no-op for policies that evict (their stores stay small).
     */
    public void reserve(int tokens) {
        if (policy.keepsEveryEntry()) cache.reserve(Math.min(tokens, contextLength));
    }

    /** Tokens in the context so far (processed or pending). */
    public int position() {
        return length;
    }

    /** The token history. */
    public int[] tokens() {
        return Arrays.copyOf(history, length);
    }

    /**
     * Removes the newest {@code n} tokens from the history and their entries — the newest {@code n}
     * of every head — from the cache (a self-speculation draft session undoes its drafted tokens
     * this way). Needs stores that can roll back and at least {@code n} entries in every head.
     */
    public void forgetLast(int n) {
        if (n < 0 || n > length || pending >= 0) throw new IllegalArgumentException("cannot forget " + n + " of " + length + " tokens");
        if (n == 0) return;
        cache.dropNewest(n);
        length -= n;
    }

    /** Forgets the context: empties the cache and the history. */
    public void reset() {
        cache.clear();
        length = 0;
        pending = -1;
        policy.attach(cache, policyContext);
        if (speculator != null) speculator.drafter().reset();
    }

    /**
     * Runs tokens through the model (in chunks of the batch size) and returns the logits after
     * the last one (a copy, {@code vocab} values).
     */
    public float[] prefill(int[] tokens) {
        return run(tokens, false, false)[0];
    }

    /**
     * Runs tokens through the model and returns the logits after every one of them
     * ({@code tokens.length × vocab}).
     */
    public float[][] evaluate(int[] tokens) {
        return run(tokens, true, false);
    }

    /** Runs one generated token and returns the logits after it. */
    public float[] decode(int token) {
        return run(new int[] {token}, false, true)[0];
    }

    private float[][] run(int[] tokens, boolean allLogits, boolean decoding) {
        if (tokens.length == 0) throw new IllegalArgumentException("no tokens to process");
        int[] all = tokens;
        if (pending >= 0) {
            all = new int[tokens.length + 1];
            all[0] = pending;
            System.arraycopy(tokens, 0, all, 1, tokens.length);
            length--; // the pending token is already in the history
        }
        ensureFits(all.length);
        int vocab = config.vocabSize();
        float[][] out = new float[allLogits ? tokens.length : 1][];
        int skip = all.length - tokens.length; // logits of the pending token are not returned
        int chunk = state.capacity();
        int[] positions = new int[chunk];
        for (int start = 0; start < all.length; start += chunk) {
            int n = Math.min(chunk, all.length - start);
            for (int i = 0; i < n; i++) positions[i] = policy.positionFor(cache, length + i, i);
            int[] batch = Arrays.copyOfRange(all, start, start + n);
            boolean last = start + n == all.length;
            float[] logits = transformer.forward(batch, positions, n, cache, state, allLogits);
            if (allLogits) {
                for (int i = 0; i < n; i++) {
                    int idx = start + i - skip;
                    if (idx >= 0) out[idx] = Arrays.copyOfRange(logits, i * vocab, (i + 1) * vocab);
                }
            } else if (last) {
                out[0] = Arrays.copyOf(logits, vocab);
            }
            append(batch, n);
            if (!last) {
                policy.afterPrefillChunk(cache, policyContext);
            } else if (decoding && all.length == 1) {
                policy.afterDecode(cache, policyContext);
            } else {
                policy.afterPrefill(cache, policyContext);
            }
        }
        pending = -1;
        return out;
    }

    private void ensureFits(int n) {
        if (length + n > contextLength && !policy.unboundedContext()) {
            throw new ContextOverflowException((length == 0 ? "a prompt of " + n + " tokens" : "adding " + n
                    + " tokens to " + length) + " exceeds the context length " + contextLength
                    + " (the model was trained with " + config.contextLength() + ")");
        }
    }

    private void append(int[] tokens, int n) {
        if (length + n > history.length) history = Arrays.copyOf(history, Math.max(history.length * 2, length + n));
        System.arraycopy(tokens, 0, history, length, n);
        length += n;
    }

    /** Encodes {@code prompt} (BOS per the model, when the session is empty) and generates a continuation. */
    public Generation generate(String prompt, GenerationParams params, TokenListener listener) {
        Tokenizer tok = model.tokenizer();
        int[] ids = tok.encode(prompt, length == 0 && tok.addBosByDefault(), false);
        return generate(ids, params, listener);
    }

    /** Generates a continuation of the given prompt tokens. */
    public Generation generate(int[] promptTokens, GenerationParams params, TokenListener listener) {
        return generate(promptTokens, params, listener, () -> false);
    }

    /**
     * Generates a continuation, checking {@code cancelled} before each new token: once it is true
     * the generation ends with {@link StopReason#CANCELLED}, the cache holding the prompt and every
     * token generated so far (so the conversation can go on from there).
     */
    public Generation generate(int[] promptTokens, GenerationParams params, TokenListener listener,
                               java.util.function.BooleanSupplier cancelled) {
        if (promptTokens.length == 0 && length == 0) {
            throw new IllegalArgumentException("empty prompt: give at least one token (e.g. BOS)");
        }
        Tokenizer tok = model.tokenizer();
        long t0 = System.nanoTime();
        if (params.maxTokens() >= 0) {
            // At most twice the context after the prompt: what growing by doubling would allocate
            // anyway at the first step past it, so a large max that is never reached costs nothing more.
            long context = (long) length + promptTokens.length;
            reserve((int) Math.min(context + params.maxTokens(), Math.min(2 * context, contextLength)));
        }
        float[] logits = promptTokens.length > 0 ? prefill(promptTokens) : lastLogits();
        long t1 = System.nanoTime();
        Sampler sampler = new Sampler(params, tok);
        // The text starts here only if nothing but control tokens (BOS) came before.
        StreamingDecoder decoder = hasText(tok) ? tok.continuationDecoder() : tok.streamingDecoder();
        StopStringMatcher stops = new StopStringMatcher(params.stop());
        int max = params.maxTokens() < 0 ? Integer.MAX_VALUE : params.maxTokens();
        int[] generated = new int[Math.min(max, 1024)];
        int count = 0;
        StopReason reason = StopReason.MAX_TOKENS;
        // Tokens a speculative step decided: all but the last are already in the cache.
        int[] ahead = null;
        int aheadPos = 0, aheadLen = 0;
        while (count < max) {
            if (cancelled.getAsBoolean()) {
                reason = StopReason.CANCELLED;
                break;
            }
            if (length >= contextLength && !policy.unboundedContext()) {
                reason = StopReason.CONTEXT_FULL;
                break;
            }
            int next = aheadPos < aheadLen ? ahead[aheadPos++] : sampler.sample(logits, config.vocabSize(), history, length);
            int unrun = aheadLen - aheadPos; // cache entries from `next` on, dropped if generation ends here
            if (count == generated.length) generated = Arrays.copyOf(generated, count * 2);
            generated[count++] = next;
            if (!params.ignoreEos() && tok.isEndOfGeneration(next)) {
                holdPending(next, unrun);
                reason = StopReason.END_OF_GENERATION;
                break;
            }
            String piece = stops.add(decoder.push(next));
            if (!piece.isEmpty()) listener.onText(piece);
            if (stops.stopped()) {
                holdPending(next, unrun);
                reason = StopReason.STOP_STRING;
                break;
            }
            if (count == max) {
                holdPending(next, unrun);
                break;
            }
            if (aheadPos < aheadLen) {
                append(new int[] {next}, 1); // run by the speculative step
            } else if (speculator != null) {
                int rows = (int) Math.min(max - count, contextLength - length);
                aheadLen = speculator.step(history, length, next, sampler, rows);
                ahead = speculator.ahead();
                aheadPos = 0;
                append(new int[] {next}, 1);
            } else {
                logits = decode(next);
            }
        }
        if (!stops.stopped()) {
            String rest = stops.add(decoder.flush());
            rest += stops.finish();
            if (!rest.isEmpty()) listener.onText(rest);
        }
        long t2 = System.nanoTime();
        return new Generation(stops.text(), Arrays.copyOf(generated, count), promptTokens.length, reason,
                t1 - t0, t2 - t1);
    }

    /** Ends generation at {@code token}: it stays pending (in the history, not run); {@code drop} newer entries speculation ran go. */
    private void holdPending(int token, int drop) {
        if (drop > 0) speculator.drop(drop);
        pending = token;
        append(new int[] {token}, 1);
    }

    private boolean hasText(Tokenizer tok) {
        for (int i = 0; i < length; i++) {
            if (!tok.isControl(history[i])) return true;
        }
        return false;
    }

    private float[] lastLogits() {
        if (pending < 0) throw new IllegalStateException("nothing to continue from: give prompt tokens");
        int t = pending;
        pending = -1;
        length--;
        return run(new int[] {t}, false, true)[0];
    }
}
