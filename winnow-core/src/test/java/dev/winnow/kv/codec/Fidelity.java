package dev.winnow.kv.codec;

import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Sampler;
import dev.winnow.generate.Session;
import dev.winnow.generate.TokenListener;
import dev.winnow.kv.KvStats;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;

/**
 * The measurement of {@code winnow kv compare}: the full cache continues a prompt greedily;
 * each spec is teacher-forced along that text and its next-token choices compared.
 */
public final class Fidelity {
    static final String PROMPT = "Once upon a time";

    final Model model;
    final int[] prompt;
    final int[] continuation;

    public Fidelity(Model model, int tokens) {
        this(model, tokens, PROMPT);
    }

    Fidelity(Model model, int tokens, String text) {
        this.model = model;
        this.prompt = model.tokenizer().encode(text);
        Session full = new Session(model, prompt.length + tokens + 1, Session.DEFAULT_BATCH);
        Generation g = full.generate(prompt, GenerationParams.builder().temperature(0).maxTokens(tokens).ignoreEos(true).build(),
                TokenListener.NONE);
        this.continuation = g.tokens();
    }

    /** The prompt's tokens. */
    public int[] prompt() {
        return prompt.clone();
    }

    /** The full cache's greedy continuation. */
    public int[] continuation() {
        return continuation.clone();
    }

    public record Result(String spec, double agreement, KvStats stats) {
    }

    public Result run(String spec) {
        Session s = new Session(model, prompt.length + continuation.length + 1, Session.DEFAULT_BATCH,
                KvSpec.parse(spec).newPolicy());
        float[] logits = s.prefill(prompt);
        int vocab = model.config().vocabSize();
        int agree = 0;
        for (int i = 0; i < continuation.length; i++) {
            if (Sampler.argmax(logits, vocab) == continuation[i]) agree++;
            if (i + 1 < continuation.length) logits = s.decode(continuation[i]);
        }
        return new Result(spec, (double) agree / continuation.length, s.cache().stats());
    }
}
