package dev.winnow.generate.speculative;

import dev.winnow.generate.Sampler;
import dev.winnow.generate.Session;
import dev.winnow.kv.policy.KvPolicy;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.kv.policy.StreamingLlmPolicy;
import dev.winnow.model.Model;

/**
 * Self-speculation: the same model drafts {@code k} tokens greedily over a compressed KV cache (a
 * draft {@link Session} with its own policy, e.g. StreamingLLM's sinks + window), and the session's
 * full cache verifies them. The draft cache follows the context: before each draft it runs the
 * tokens accepted since the last one, and after drafting it forgets its drafted tokens
 * ({@link Session#forgetLast}), so it holds exactly the accepted context (of which a window policy
 * keeps its window; the drafted tokens' turns may have pushed up to k older entries out). The
 * draft KV spec must keep the newest entries: one that keeps every entry, or {@code streaming}.
 */
public final class SelfDrafter implements Drafter {
    private final Model model;
    private final KvSpec kv;
    private final int k;
    private Session draft;
    private int synced;
    private final int[] buf;

    /** @param model null only to validate a spec */
    public SelfDrafter(Model model, KvSpec kv, int k) {
        if (k < 1) throw new IllegalArgumentException("self: k=" + k + " must be >= 1");
        KvPolicy p = kv.newPolicy();
        if (!(p instanceof StreamingLlmPolicy) && !p.keepsEveryEntry()) {
            throw new SpeculateSpecException("self: kv=" + kv + " may evict the newest entries; the draft cache needs "
                    + "streaming:… or a spec that keeps every entry");
        }
        this.model = model;
        this.kv = kv;
        this.k = k;
        this.buf = new int[k];
    }

    @Override
    public String spec() {
        return "self:kv=" + kv.toString().replace(',', ';') + ",k=" + k;
    }

    @Override
    public Draft draft(int[] context, int length, int maxRows) {
        int want = Math.min(k, maxRows - 1);
        if (model == null) throw new IllegalStateException("a drafter made without a model");
        if (draft == null) {
            draft = new Session(model, model.config().contextLength(), 64, kv.newPolicy());
            String why = SpeculationSupport.rollbackRefusal(draft.cache());
            if (why != null) throw new IllegalArgumentException("self: kv=" + kv + ": " + why);
        }
        if (synced > length - 1 || length - synced > 0 && !fits(length - synced)) reset();
        float[] logits = draft.prefill(java.util.Arrays.copyOfRange(context, synced, length));
        synced = length;
        int vocab = model.config().vocabSize();
        int n = 0;
        while (n < want) {
            buf[n] = Sampler.argmax(logits, vocab);
            if (++n < want) {
                if (!fits(1)) break;
                logits = draft.decode(buf[n - 1]);
            }
        }
        draft.forgetLast(Math.max(0, n - 1)); // the drafted tokens that were run
        return Draft.chain(context[length - 1], buf, n);
    }

    /** Why the draft cache cannot forget drafted tokens exactly (its KV spec's stores cannot roll back), or null. */
    @Override
    public String refusal() {
        if (model == null) return null;
        String why = SpeculationSupport.rollbackRefusal(new Session(model, 1, 1, kv.newPolicy()).cache());
        return why == null ? null : "self: kv=" + kv + ": " + why;
    }

    private boolean fits(int more) {
        return draft.policy().unboundedContext() || draft.position() + more + k <= draft.contextLength();
    }

    @Override
    public void reset() {
        if (draft != null) draft.reset();
        synced = 0;
    }
}
