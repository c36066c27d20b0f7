package dev.winnow.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.SharedData;
import dev.winnow.generate.speculative.ChiSquare;
import dev.winnow.generate.speculative.SpeculateSpec;
import dev.winnow.generate.speculative.SpeculativeSampling;
import dev.winnow.model.Model;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Speculative sampling end to end on stories260K: the first two generated tokens (of five; the second one
 * decided in a verification pass, against token recycling's candidates — the top-3 of the model's
 * latest logits, several children per node) follow the distribution plain sampling draws from,
 * p(t1)·p(t2 | t1), computed from the model's logits with the sampler's own transforms; the same
 * test rejects a broken acceptance rule.
 */
class SpeculativeSamplingDistributionTest {
    private static final int RUNS = 4000;
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(SharedData.path("models/stories260K.gguf"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationParams params(long seed) {
        return GenerationParams.builder().temperature(1f).topK(4).topP(1f).minP(0f).maxTokens(5).ignoreEos(true).seed(seed)
                .build();
    }

    /** Exact joint probabilities of (t1, t2) over vocab², from the sampler's distributions. */
    private static double[] expected(int[] prompt) {
        int vocab = model.config().vocabSize();
        Session s = new Session(model, 64, 16);
        float[] logits = s.prefill(prompt);
        Sampler sampler = new Sampler(params(0));
        double[] p1 = new double[vocab];
        int[] ctx = Arrays.copyOf(prompt, prompt.length + 1);
        sampler.distribution(logits, vocab, ctx, prompt.length, p1);
        double[] joint = new double[vocab * vocab];
        for (int t1 = 0; t1 < vocab; t1++) {
            if (p1[t1] == 0) continue;
            Session s2 = new Session(model, 64, 16);
            s2.prefill(prompt);
            float[] l2 = s2.decode(t1);
            ctx[prompt.length] = t1;
            double[] p2 = new double[vocab];
            sampler.distribution(l2, vocab, ctx, prompt.length + 1, p2);
            for (int t2 = 0; t2 < vocab; t2++) joint[t1 * vocab + t2] = p1[t1] * p2[t2];
        }
        return joint;
    }

    private static long[] observed(int[] prompt, SpeculativeSampling.AcceptanceRule rule, long[] acceptedOut) {
        int vocab = model.config().vocabSize();
        Session s = new Session(model, 64, 16);
        s.speculate(SpeculateSpec.parse("recycling:k=4,tree=3/1"));
        if (rule != null) s.acceptanceRule(rule);
        long[] counts = new long[vocab * vocab];
        for (int i = 0; i < RUNS; i++) {
            s.reset();
            Generation g = s.generate(prompt, params(1000 + i), t -> { });
            counts[g.tokens()[0] * vocab + g.tokens()[1]]++;
        }
        acceptedOut[0] = s.speculationStats().accepted();
        return counts;
    }

    @Test
    void sampledTokensFollowTheModelsDistributionAndABrokenRuleIsCaught() {
        int[] prompt = model.tokenizer().encode("Once upon a time, there was a", true, false);
        double[] joint = expected(prompt);
        long[] accepted = new long[1];
        long[] good = observed(prompt, null, accepted);
        assertThat(accepted[0]).as("draft tokens accepted").isGreaterThan(RUNS / 4);
        assertThat(ChiSquare.rejects(good, joint)).as("speculative sampling matches p").isFalse();

        long[] bad = observed(prompt, (p, q, u) -> p > 0.05, accepted); // accepts any plausible draft
        assertThat(ChiSquare.rejects(bad, joint)).as("a broken acceptance rule is detected").isTrue();
    }
}
