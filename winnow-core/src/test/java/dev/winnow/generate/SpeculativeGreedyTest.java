package dev.winnow.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.TestModels;
import dev.winnow.generate.speculative.SpeculateSpec;
import dev.winnow.generate.speculative.SpeculationStats;
import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The acceptance test of speculative decoding: greedy generation with a drafter (chain drafts of
 * prompt lookup and of self-speculation over a StreamingLLM draft cache, tree drafts of token recycling) produces token for token what plain greedy
 * decoding produces, from several prompts, on the trained stories260K and on synthetic models,
 * with an f32 and an int8 cache — and the cache afterwards (after rejected drafts were rolled
 * back) equals the plain session's: entries, keys and values, positions, statistics, step.
 * Generation is then continued in both sessions (the speculative one from a stop that dropped
 * decided tokens), and compared again.
 */
class SpeculativeGreedyTest {
    private static final TestModels MODELS = new TestModels();

    @AfterAll
    static void close() {
        MODELS.close();
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String drafter : List.of("lookup:n=3,k=8", "recycling:k=8,tree=4/3/2/2/1/1/1/1", "recycling:k=4,tree=4/4/2/1", "recycling",
                "self:kv=streaming:sinks=2;window=12,k=4")) {
            out.add(Arguments.of("stories260K.gguf", "full", drafter));
            out.add(Arguments.of("stories260K.gguf", "int8", drafter));
            out.add(Arguments.of("synth-llama-Q8_0.gguf", "full", drafter));
            out.add(Arguments.of("synth-qwen2.gguf", "int8", drafter));
        }
        return out.stream();
    }

    private static List<int[]> prompts(Model model) {
        List<int[]> out = new ArrayList<>();
        var tok = model.tokenizer();
        if (model.config().vocabSize() == 512) { // stories260K: text prompts
            for (String p : List.of("Once upon a time", "Lily and Tom went to the park. Lily and Tom", "The cat"))
                out.add(tok.encode(p, true, false));
            return out;
        }
        SplittableRandom r = new SplittableRandom(7);
        for (int len : new int[] {2, 23}) {
            int[] p = new int[len];
            p[0] = tok.bosId() >= 0 ? tok.bosId() : 1;
            for (int i = 1; i < len; i++) p[i] = 3 + r.nextInt(model.config().vocabSize() - 3);
            out.add(p);
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void greedyWithSpeculationIsPlainGreedyAndLeavesTheSameCache(String file, String kv, String drafter) {
        Model model = MODELS.get(file);
        long accepted = 0;
        for (int[] prompt : prompts(model)) {
            Session plain = new Session(model, 512, 32, KvSpec.parse(kv).newPolicy());
            Session spec = new Session(model, 512, 32, KvSpec.parse(kv).newPolicy());
            spec.speculate(SpeculateSpec.parse(drafter));
            GenerationParams params = GenerationParams.builder().temperature(0).maxTokens(100).ignoreEos(true).build();
            Generation a = plain.generate(prompt, params, t -> { });
            Generation b = spec.generate(prompt, params, t -> { });
            assertThat(b.tokens()).as("tokens with %s", drafter).containsExactly(a.tokens());
            assertSameCache(plain.cache(), spec.cache());
            // Continue: a stop string ends inside a speculative step's decided tokens.
            String stop = a.text().length() > 3 ? a.text().substring(a.text().length() / 2, a.text().length() / 2 + 2) : "zz";
            GenerationParams more = GenerationParams.builder().temperature(0).maxTokens(60).stop(stop).build();
            Generation c = plain.generate(new int[0], more, t -> { });
            Generation d = spec.generate(new int[0], more, t -> { });
            assertThat(d.tokens()).containsExactly(c.tokens());
            assertThat(d.text()).isEqualTo(c.text());
            assertThat(d.stopReason()).isEqualTo(c.stopReason());
            assertThat(spec.tokens()).containsExactly(plain.tokens());
            assertSameCache(plain.cache(), spec.cache());
            Generation e = plain.generate(new int[0], GenerationParams.greedy(17), t -> { });
            Generation f = spec.generate(new int[0], GenerationParams.greedy(17), t -> { });
            assertThat(f.tokens()).containsExactly(e.tokens());
            assertSameCache(plain.cache(), spec.cache());
            SpeculationStats stats = spec.speculationStats();
            accepted += stats.accepted();
            assertThat(stats.steps()).isLessThanOrEqualTo(100 + 60 + 17);
        }
        if (file.startsWith("stories")) assertThat(accepted).as("draft tokens accepted").isGreaterThan(20);
    }

    static void assertSameCache(KvCache a, KvCache b) {
        assertThat(b.step()).as("step").isEqualTo(a.step());
        for (int l = 0; l < a.layers(); l++) {
            for (int h = 0; h < a.kvHeads(); h++) {
                HeadStore s = a.head(l, h), t = b.head(l, h);
                assertThat(t.size()).as("entries of layer %d head %d", l, h).isEqualTo(s.size());
                assertThat(describe(t)).as("layer %d head %d", l, h).isEqualTo(describe(s));
            }
        }
    }

    /** Every entry's position, statistics, key and value bits, as one comparable text. */
    private static String describe(HeadStore s) {
        StringBuilder sb = new StringBuilder();
        float[] x = new float[s.headSize()];
        for (int i = 0; i < s.size(); i++) {
            sb.append(i).append(": pos ").append(s.position(i)).append(" ins ").append(s.insertedStep(i))
                    .append(" lastHit ").append(s.lastHitStep(i)).append(" hits ").append(s.hits(i))
                    .append(" acc ").append(s.accumulatedAttention(i)).append(" last ").append(s.lastAttention(i))
                    .append(" int ").append(s.hitInterval(i)).append(" extra ").append(s.extra(i)).append(" k");
            s.key(i, x, 0);
            for (float v : x) sb.append(' ').append(Integer.toHexString(Float.floatToRawIntBits(v)));
            sb.append(" v");
            s.value(i, x, 0);
            for (float v : x) sb.append(' ').append(Integer.toHexString(Float.floatToRawIntBits(v)));
            sb.append('\n');
        }
        return sb.toString();
    }
}
