package dev.winnow.generate;

import dev.winnow.generate.speculative.Draft;
import dev.winnow.generate.speculative.Drafter;
import dev.winnow.generate.speculative.SpeculationStats;
import dev.winnow.generate.speculative.SpeculativeSampling;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.KvPolicy;
import dev.winnow.kv.policy.PolicyContext;
import dev.winnow.model.ForwardState;
import dev.winnow.model.SequenceBatch;
import dev.winnow.model.Transformer;
import java.util.Arrays;

/**
 * One speculative decoding step of a {@link Session}: the drafter proposes tokens after the root
 * (the token just sampled), one forward pass runs the root and the draft with logits for every
 * row ({@link SequenceBatch#addDraft}), the session's {@link Sampler} walks the draft from the root
 * — at each row it decides the next token with speculative sampling against the row's children
 * (greedy: the argmax, so exactly plain decoding's token) — and the cache is rolled back to the
 * root and the accepted rows ({@link KvCache#rollback}). The tokens decided (accepted drafts, then
 * the first token no draft matched) are returned for the session to emit; all but the last are
 * already in the cache.
 */
final class Speculator {
    private final Drafter drafter;
    private final Transformer transformer;
    private final KvCache cache;
    private final ForwardState state;
    private final KvPolicy policy;
    private final PolicyContext policyContext;
    private final int vocab;
    private final SequenceBatch batch;
    private final SpeculationStats stats = new SpeculationStats();
    private int[] context = new int[0];
    private int[] ahead = new int[0];
    private double[] p = new double[0];
    /** The last step's logits (every row) and the rows of its decided tokens, for {@link #decidedLogits}. */
    private float[] lastLogits;
    private int[] lastKept = new int[0];
    private SpeculativeSampling.AcceptanceRule rule = SpeculativeSampling.MIN_RATIO;

    Speculator(Drafter drafter, Transformer transformer, KvCache cache, ForwardState state, KvPolicy policy,
               PolicyContext policyContext) {
        this.drafter = drafter;
        this.transformer = transformer;
        this.cache = cache;
        this.state = state;
        this.policy = policy;
        this.policyContext = policyContext;
        this.vocab = transformer.config().vocabSize();
        this.batch = new SequenceBatch(state.capacity());
    }

    ForwardState state() {
        return state;
    }

    Drafter drafter() {
        return drafter;
    }

    /** Replaces the acceptance rule (tests show a broken one is caught). */
    void rule(SpeculativeSampling.AcceptanceRule rule) {
        this.rule = rule;
    }

    SpeculationStats stats() {
        return stats;
    }

    /** The tokens the last {@link #step} decided. */
    int[] ahead() {
        return ahead;
    }

    /**
     * Runs {@code root} after {@code history[0, length)} with a draft of at most {@code maxRows}
     * rows and decides the following tokens (at least one) into {@link #ahead()}.
     *
     * @return how many tokens were decided; the first {@code n − 1} are in the cache after the root
     */
    int step(int[] history, int length, int root, Sampler sampler, int maxRows) {
        if (context.length < length + maxRows + 1) context = Arrays.copyOf(context, Math.max(2 * context.length, length + maxRows + 1));
        System.arraycopy(history, 0, context, 0, length);
        context[length] = root;
        Draft draft = drafter.draft(context, length + 1, Math.max(1, Math.min(maxRows, state.capacity())));
        int rows = draft.rows();
        int[] positions = new int[rows];
        for (int r = 0; r < rows; r++) positions[r] = policy.positionFor(cache, length + draft.depth(r), r);
        KvCache.Checkpoint cp = cache.checkpoint();
        batch.clear();
        batch.addDraft(cache, draft.tokens(), rows, positions, draft.parents());
        float[] logits = transformer.forward(batch, state);
        drafter.verified(draft, logits, vocab);

        if (ahead.length < rows + 1) ahead = new int[rows + 1];
        if (p.length < vocab) p = new double[vocab];
        int[] kept = new int[rows];
        int[] children = new int[rows];
        int nKept = 1, decided = 0, row = 0, ctxLen = length + 1;
        while (true) {
            int count = 0;
            for (int r = row + 1; r < rows; r++) if (draft.parent(r) == row) children[count++] = r;
            int[] candidates = new int[count];
            for (int c = 0; c < count; c++) candidates[c] = draft.token(children[c]);
            sampler.distribution(Arrays.copyOfRange(logits, row * vocab, (row + 1) * vocab), vocab, context, ctxLen, p);
            int v = SpeculativeSampling.verify(p, vocab, candidates, count, sampler::nextDouble, rule);
            int token = v >= 0 ? candidates[v] : -1 - v;
            sampler.accept(token);
            ahead[decided++] = token;
            context[ctxLen++] = token;
            if (v < 0) break;
            row = children[v];
            kept[nKept++] = row;
        }
        lastLogits = logits;
        lastKept = kept;
        cache.rollback(cp, kept, nKept);
        for (int i = 0; i < nKept; i++) policy.afterDecode(cache, policyContext);
        stats.add(rows - 1, nKept - 1);
        return decided;
    }

    /**
     * The logits the {@code i}-th token the last {@link #step} decided was sampled from (the row of
     * the root or of the accepted draft token before it: plain decoding's logits at that step),
     * copied into {@code out}; valid until the next forward pass.
     */
    void decidedLogits(int i, float[] out) {
        System.arraycopy(lastLogits, lastKept[i] * vocab, out, 0, vocab);
    }

    /** Removes the newest {@code n} cache entries (decided tokens the session will not emit). */
    void drop(int n) {
        if (n > 0) cache.dropNewest(n);
    }
}
