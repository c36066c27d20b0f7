package dev.winnow.generate;

import dev.winnow.model.ForwardState;
import dev.winnow.model.Model;
import dev.winnow.model.SequenceBatch;
import dev.winnow.model.Transformer;
import java.util.ArrayList;
import java.util.List;

/**
 * Continuous batching: each {@link #step} runs one forward pass for a set of
 * {@link BatchSequence}s — one token for every generating sequence, plus prompt chunks of
 * prefilling sequences up to a token budget (chunked prefill, so running streams never wait for
 * a whole prompt) — then samples, streams and applies stop rules and policy hooks per sequence.
 * Greedy output of a sequence equals the same request run alone with {@link Session#generate}
 * (with the same prompt chunk size). A sequence that decodes speculatively
 * ({@link BatchSequence#speculate}) runs each step's root and draft in a forward pass of its own
 * after the batched one (a draft's rows attend through a tree mask to one cache), with the
 * same per-row arithmetic, so its tokens are still those of the request run alone.
 *
 * <p>Single-threaded: one scheduler thread calls {@link #step}; the model's thread pool does the
 * math.
 */
public final class BatchEngine {
    private final Model model;
    private final Transformer transformer;
    private final int maxBatchTokens;
    private final int prefillChunk;
    private final ForwardState state;
    private final SequenceBatch batch;
    private final int[] positions;
    private float[] rowLogits = new float[0];
    /** Where the next step starts taking decode rows when there are more than the budget (round robin). */
    private int rotation;

    /** @param maxBatchTokens most tokens in one forward pass (decode rows + prefill chunk rows) */
    public BatchEngine(Model model, int maxBatchTokens) {
        this(model, maxBatchTokens, Math.min(Session.DEFAULT_BATCH, maxBatchTokens));
    }

    /**
     * @param maxBatchTokens most tokens in one forward pass (decode rows + prefill chunk rows)
     * @param prefillChunk most prompt tokens of one sequence in one pass (as {@link Session}'s batch
     *        size: with the same value, chunk boundaries and so policy decisions are the same)
     */
    public BatchEngine(Model model, int maxBatchTokens, int prefillChunk) {
        if (maxBatchTokens < 1) throw new IllegalArgumentException("maxBatchTokens must be >= 1, got " + maxBatchTokens);
        if (prefillChunk < 1 || prefillChunk > maxBatchTokens) {
            throw new IllegalArgumentException("prefillChunk must be in [1, " + maxBatchTokens + "], got " + prefillChunk);
        }
        this.model = model;
        this.transformer = model.transformer();
        this.maxBatchTokens = maxBatchTokens;
        this.prefillChunk = prefillChunk;
        this.state = new ForwardState(model.config(), maxBatchTokens);
        this.batch = new SequenceBatch(maxBatchTokens);
        this.positions = new int[maxBatchTokens];
    }

    public Model model() {
        return model;
    }

    public int maxBatchTokens() {
        return maxBatchTokens;
    }

    public int prefillChunk() {
        return prefillChunk;
    }

    /** One sequence's rows in a pass: the next {@code n} unprocessed tokens of {@code seq}. */
    private record Slot(BatchSequence seq, int n) {
        /** Whether these rows end the prompt or are a decoding step: then the logits after them are sampled. */
        boolean wantsLogits() {
            return n == seq.unprocessed();
        }
    }

    /**
     * One forward pass over the given sequences (inactive ones are skipped): one token for each
     * generating sequence, plus prompt chunks of prefilling sequences up to the token budget;
     * then samples (each sequence's own {@link Sampler}), streams text, applies stop rules and
     * each sequence's policy hooks. Cancelled sequences finish first, with
     * {@link StopReason#CANCELLED}. A failure is reported to the sequences it concerns
     * ({@link BatchListener#onError}); it is not thrown.
     *
     * @return the tokens processed (0: nothing to do)
     */
    public int step(List<BatchSequence> sequences) {
        for (BatchSequence s : sequences) {
            if (s.active() && s.cancelRequested()) {
                guarded(s, () -> s.finish(StopReason.CANCELLED));
            }
        }
        List<BatchSequence> speculating = new ArrayList<>();
        for (BatchSequence s : sequences) {
            if (s.active() && s.speculates()) speculating.add(s);
        }
        int tokens = 0;
        List<Slot> slots = plan(sequences, speculating);
        if (!slots.isEmpty()) tokens += batched(slots);
        for (BatchSequence s : speculating) {
            try {
                tokens += s.speculativeStep(transformer, state);
            } catch (RuntimeException e) {
                s.fail(e, true); // its cache may be half-written
            }
        }
        return tokens;
    }

    /** The batched pass over {@code slots}, then sampling per sequence. */
    private int batched(List<Slot> slots) {
        float[] logits;
        try {
            logits = forward(slots);
        } catch (RuntimeException e) {
            // The caches of the pass may be half-written: every sequence in it fails.
            for (Slot slot : slots) slot.seq.fail(e, true);
            return 0;
        }
        int vocab = model.config().vocabSize();
        if (rowLogits.length < vocab) rowLogits = new float[vocab];
        int tokens = 0, row = 0;
        for (Slot slot : slots) {
            tokens += slot.n;
            BatchSequence s = slot.seq;
            boolean sampled = slot.wantsLogits();
            if (sampled) System.arraycopy(logits, row++ * vocab, rowLogits, 0, vocab);
            guarded(s, () -> {
                if (s.ran(slot.n) && sampled) s.sample(rowLogits);
            });
        }
        return tokens;
    }

    /**
     * Decode rows first (round robin when there are more than the budget), then whole prompt
     * chunks in list order (chunk boundaries as in a {@link Session} with the same batch size, so
     * policies decide the same); a chunk is cut to the budget only when no whole one fits.
     */
    private List<Slot> plan(List<BatchSequence> sequences, List<BatchSequence> speculating) {
        List<Slot> slots = new ArrayList<>();
        int budget = maxBatchTokens;
        int count = sequences.size();
        int start = count == 0 ? 0 : Math.floorMod(rotation, count);
        for (int k = 0; k < count && budget > 0; k++) {
            BatchSequence s = sequences.get((start + k) % count);
            if (s.phase() == BatchSequence.Phase.DECODE && !speculating.contains(s)) {
                slots.add(new Slot(s, 1));
                budget--;
            }
        }
        rotation++;
        boolean prefills = false;
        for (BatchSequence s : sequences) {
            if (s.phase() == BatchSequence.Phase.PREFILL && !s.cancelRequested()) {
                int n = Math.min(s.unprocessed(), prefillChunk);
                if (n <= budget) {
                    slots.add(new Slot(s, n));
                    budget -= n;
                    prefills = true;
                }
            }
        }
        if (!prefills && budget > 0) {
            for (BatchSequence s : sequences) {
                if (s.phase() == BatchSequence.Phase.PREFILL && !s.cancelRequested()) {
                    slots.add(new Slot(s, budget));
                    break;
                }
            }
        }
        return slots;
    }

    /** One forward pass over the rows of every slot (decode rows first, then prompt chunks). */
    private float[] forward(List<Slot> slots) {
        batch.clear();
        for (Slot slot : slots) {
            BatchSequence s = slot.seq;
            for (int i = 0; i < slot.n; i++) positions[i] = s.positionFor(i);
            batch.add(s.cache(), s.history(), s.processed(), slot.n, positions, slot.wantsLogits());
        }
        return transformer.forward(batch, state);
    }

    private static void guarded(BatchSequence s, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            s.fail(e, false);
        }
    }
}
