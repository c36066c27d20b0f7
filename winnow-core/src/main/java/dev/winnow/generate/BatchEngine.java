package dev.winnow.generate;

import dev.winnow.model.ForwardState;
import dev.winnow.model.Model;
import dev.winnow.model.Transformer;
import java.util.ArrayList;
import java.util.List;

/**
 * Continuous batching: each {@link #step} runs one forward pass for a set of
 * {@link BatchSequence}s — one token for every generating sequence, plus prompt chunks of
 * prefilling sequences up to a token budget (chunked prefill, so running streams never wait for
 * a whole prompt) — then samples, streams and applies stop rules and policy hooks per sequence.
 * Greedy output of a sequence equals the same request run alone with {@link Session#generate}
 * (with the same prompt chunk size).
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
        List<Slot> slots = plan(sequences);
        int tokens = 0;
        for (Slot slot : slots) {
            tokens += slot.n;
            float[] logits;
            try {
                logits = forward(slot);
            } catch (RuntimeException e) {
                slot.seq.fail(e, true);
                continue;
            }
            post(slot, logits);
        }
        return tokens;
    }

    /** Decode rows first (round robin when there are more than the budget), then prompt chunks. */
    private List<Slot> plan(List<BatchSequence> sequences) {
        List<Slot> slots = new ArrayList<>();
        int budget = maxBatchTokens;
        int count = sequences.size();
        int start = count == 0 ? 0 : Math.floorMod(rotation, count);
        for (int k = 0; k < count && budget > 0; k++) {
            BatchSequence s = sequences.get((start + k) % count);
            if (s.phase() == BatchSequence.Phase.DECODE) {
                slots.add(new Slot(s, 1));
                budget--;
            }
        }
        rotation++;
        for (BatchSequence s : sequences) {
            if (budget == 0) break;
            if (s.phase() != BatchSequence.Phase.PREFILL) continue;
            int n = Math.min(Math.min(s.unprocessed(), prefillChunk), budget);
            slots.add(new Slot(s, n));
            budget -= n;
        }
        return slots;
    }

    private float[] forward(Slot slot) {
        BatchSequence s = slot.seq;
        int[] tokens = new int[slot.n];
        int[] positions = new int[slot.n];
        System.arraycopy(s.history(), s.processed(), tokens, 0, slot.n);
        for (int i = 0; i < slot.n; i++) positions[i] = s.positionFor(i);
        return transformer.forward(tokens, positions, slot.n, s.cache(), state, false);
    }

    /** After the pass: the policy hook, then (when the prompt is done) sampling. */
    private void post(Slot slot, float[] logits) {
        BatchSequence s = slot.seq;
        guarded(s, () -> {
            if (s.ran(slot.n)) s.sample(logits);
        });
    }

    private static void guarded(BatchSequence s, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            s.fail(e, false);
        }
    }
}
