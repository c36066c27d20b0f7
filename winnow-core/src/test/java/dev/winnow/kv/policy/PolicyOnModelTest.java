package dev.winnow.kv.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.OnStoriesModel;
import dev.winnow.SharedData;
import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Session;
import dev.winnow.generate.TokenListener;
import dev.winnow.kv.KvStats;
import dev.winnow.model.Model;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every registered policy on the real stories260K model. */
class PolicyOnModelTest extends OnStoriesModel {

    /** A spec with budget 32 (entries per head) for every policy, and the budget each head ends at. */
    static Stream<String> budgetedSpecs() {
        return KvPolicies.all().stream().map(PolicyInfo::name).filter(n -> !n.equals("full")).map(PolicyOnModelTest::spec32);
    }

    static String spec32(String name) {
        return switch (name) {
            case "streaming" -> "streaming:sinks=4,window=28";
            case "snapkv" -> "snapkv:budget=32,window=8,slack=0,trigger=always";
            case "pyramidkv" -> "pyramidkv:budget=32,window=8,slack=0,trigger=always";
            case "adakv" -> "adakv:budget=32,window=8,slack=0,trigger=always";
            case "chunkkv" -> "chunkkv:budget=32,window=8,slack=0,trigger=always";
            case "duo" -> "duo:sinks=4,window=28,profile=off";
            default -> name + ":budget=32";
        };
    }

    static final String PROMPT = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park."
            + " One day, she saw a big, red ball. She wanted to play with it, but it was too high.";

    @Test
    void fullAndUnlimitedBudgetsAreBitIdenticalToNoCompression() {
        int[] tokens = model.tokenizer().encode(PROMPT + PROMPT);
        float[][] plain = new Session(model, 512, 16).evaluate(tokens);
        for (String spec : List.of("full", "h2o:budget=4096", "snapkv:budget=4096", "window:budget=4096",
                "streaming:sinks=4,window=4000,reposition=false", "pyramidkv:budget=4096", "adakv:budget=4096",
                "sepllm:budget=4096", "chunkkv:budget=4096", "duo:window=4096,profile=off", "duo:retrieval=1,profile=off")) {
            float[][] got = new Session(model, 512, 16, KvSpec.parse(spec).newPolicy()).evaluate(tokens);
            for (int i = 0; i < tokens.length; i++) {
                assertThat(got[i]).as("%s row %d", spec, i).containsExactly(plain[i]);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("budgetedSpecs")
    void everyPolicyHoldsExactlyItsBudgetAndStillWrites(String spec) {
        Session s = new Session(model, 512, 16, KvSpec.parse(spec).newPolicy());
        int[] prompt = model.tokenizer().encode(PROMPT);
        assertThat(prompt.length).isGreaterThan(40);
        Generation g = s.generate(prompt, GenerationParams.builder().temperature(0.7f).seed(3).maxTokens(60).build(),
                TokenListener.NONE);
        KvStats stats = s.cache().stats();
        // Every head holds exactly its budget (the last sampled token is pending, not yet in the cache).
        assertBudgets(spec, s, stats.entries());
        assertThat(s.position()).isGreaterThan(32);
        long perEntry = s.cache().head(0, 0).bytesPerEntry();
        assertThat(stats.bytesUsed()).isEqualTo(stats.totalEntries() * perEntry);
        assertThat(g.tokens()).hasSize(60);
        assertThat(g.text()).isNotBlank().doesNotContain("\uFFFD");
    }

    /**
     * The entries each head ends with: 32 for uniform budgets; PyramidKV's per-layer budgets;
     * Ada-KV's 32 per head on average over a layer, each head above the floor; DuoAttention's
     * retrieval heads every token, streaming heads sinks + window.
     */
    static void assertBudgets(String spec, Session s, int[][] entries) {
        int held = s.position() - 1;
        int layers = entries.length, heads = entries[0].length;
        switch (KvSpec.parse(spec).name()) {
            case "pyramidkv" -> {
                int[] budgets = new PyramidAllocator(20, 8).budgets(layers, 32);
                assertThat(budgets[0]).isGreaterThan(32);
                assertThat(budgets[layers - 1]).isLessThan(32);
                for (int l = 0; l < layers; l++) {
                    for (int e : entries[l]) assertThat(e).as("%s layer %d", spec, l).isEqualTo(Math.min(budgets[l], held));
                }
            }
            case "adakv" -> {
                int floor = 8 + new AdaptiveAllocator(0.2, 8).floor(32);
                for (int l = 0; l < layers; l++) {
                    assertThat(java.util.Arrays.stream(entries[l]).sum()).as("%s layer %d", spec, l).isEqualTo(heads * 32);
                    for (int e : entries[l]) assertThat(e).as("%s layer %d", spec, l).isBetween(floor, held);
                }
            }
            case "duo" -> {
                DuoAttentionPolicy duo = (DuoAttentionPolicy) s.policy();
                int retrieval = 0;
                for (int l = 0; l < layers; l++) {
                    for (int h = 0; h < heads; h++) {
                        if (duo.isRetrieval(l, h)) retrieval++;
                        assertThat(entries[l][h]).as("%s layer %d head %d", spec, l, h)
                                .isEqualTo(duo.isRetrieval(l, h) ? held : 32);
                    }
                }
                assertThat(retrieval).isEqualTo(Math.round(0.25f * layers * heads));
            }
            default -> {
                for (int[] layer : entries) for (int e : layer) assertThat(e).as(spec).isEqualTo(32);
            }
        }
    }

    @Test
    void streamingRunsPastTheTrainedContext() {
        Session s = new Session(model, 512, 64, KvSpec.parse("streaming:sinks=4,window=252").newPolicy());
        Generation g = s.generate(new int[] {1}, GenerationParams.builder().temperature(0.8f).seed(5).maxTokens(2000)
                .ignoreEos(true).build(), TokenListener.NONE);
        assertThat(g.tokens()).hasSize(2000);
        assertThat(s.position()).isEqualTo(2001);
        KvStats stats = s.cache().stats();
        assertThat(stats.maxEntries()).isEqualTo(256);
        // Keys were re-positioned inside the cache: positions run 0..255.
        assertThat(s.cache().head(0, 0).position(255)).isEqualTo(255);
    }

    @Test
    void chunkedPrefillKeepsThePeakAtBudgetPlusOneChunk() {
        try (Model synth = Model.load(SharedData.path("models/synth-llama.gguf"))) {
            int[] prompt = new int[4096];
            java.util.Random r = new java.util.Random(9);
            for (int i = 0; i < prompt.length; i++) prompt[i] = r.nextInt(synth.config().vocabSize());
            for (String spec : List.of("h2o:budget=256", "snapkv:budget=256,trigger=chunks", "window:budget=256")) {
                Session s = new Session(synth, 4096, 128, KvSpec.parse(spec).newPolicy());
                s.prefill(prompt);
                KvStats stats = s.cache().stats();
                assertThat(stats.maxPeakEntries()).as(spec).isLessThanOrEqualTo(256 + 128);
                assertThat(stats.maxEntries()).as(spec).isEqualTo(256);
            }
        }
    }
}
