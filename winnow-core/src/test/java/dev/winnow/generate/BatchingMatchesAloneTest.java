package dev.winnow.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.TestModels;
import dev.winnow.generate.BatchEngineTest.Recorder;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The acceptance test of continuous batching: 8 greedy requests of different prompt lengths and
 * max tokens, some joining while others decode, each produce exactly the tokens (and text) the
 * same request produces alone with {@link Session#generate} — on a trained model and on
 * synthetic ones (F32 with QKV biases, Q8_0, Q4_0 with 8-bit activations), with a full cache, a
 * codec, evicting policies (SnapKV after the prompt, StreamingLLM after every pass, H2O from
 * recorded attention) and sparse decode attention (Quest).
 */
class BatchingMatchesAloneTest {
    private static final int CONTEXT = 512;
    private static final int CHUNK = 16;
    private static final int[] PROMPT_LENGTHS = {3, 17, 40, 64, 90, 5, 130, 33};
    private static final int[] MAX_TOKENS = {20, 35, 8, 50, 12, 40, 25, 30};
    /** The step at which each request joins. */
    private static final int[] JOIN_AT = {0, 0, 0, 2, 5, 9, 15, 24};

    private static final TestModels MODELS = new TestModels();

    private static Model model(String file) {
        return MODELS.get(file);
    }

    @AfterAll
    static void close() {
        MODELS.close();
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String kv : List.of("full", "int8", "snapkv:budget=32", "streaming:sinks=4,window=64", "h2o:budget=48",
                "quest:budget=32")) {
            out.add(Arguments.of("stories260K.gguf", kv));
        }
        for (String file : List.of("synth-llama-Q8_0.gguf", "synth-llama-Q4_0.gguf", "synth-qwen2.gguf")) {
            for (String kv : List.of("full", "int8", "snapkv:budget=32", "streaming:sinks=4,window=64")) {
                out.add(Arguments.of(file, kv));
            }
        }
        return out.stream();
    }

    private static int[] prompt(Model model, int length, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int vocab = model.config().vocabSize();
        int[] p = new int[length];
        p[0] = model.tokenizer().bosId() >= 0 ? model.tokenizer().bosId() : 1;
        for (int i = 1; i < length; i++) p[i] = 3 + r.nextInt(vocab - 3);
        return p;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void eightRequestsInABatchEachGiveTheTokensTheyGiveAlone(String file, String kv) {
        Model model = model(file);
        int n = PROMPT_LENGTHS.length;
        int[][] prompts = new int[n][];
        GenerationParams[] params = new GenerationParams[n];
        Generation[] alone = new Generation[n];
        StringBuilder[] aloneText = new StringBuilder[n];
        for (int i = 0; i < n; i++) {
            prompts[i] = prompt(model, PROMPT_LENGTHS[i], 100 + i);
            params[i] = GenerationParams.builder().temperature(0).maxTokens(MAX_TOKENS[i]).ignoreEos(i % 2 == 0).build();
            Session s = new Session(model, CONTEXT, CHUNK, KvSpec.parse(kv).newPolicy());
            aloneText[i] = new StringBuilder();
            alone[i] = s.generate(prompts[i], params[i], aloneText[i]::append);
        }

        BatchEngine engine = new BatchEngine(model, 64, CHUNK);
        List<BatchSequence> running = new ArrayList<>();
        Recorder[] got = new Recorder[n];
        int mixedSteps = 0;
        for (int step = 0; step < 10_000; step++) {
            for (int i = 0; i < n; i++) {
                if (JOIN_AT[i] == step) {
                    BatchSequence seq = new BatchSequence(model, CONTEXT, KvSpec.parse(kv).newPolicy());
                    got[i] = new Recorder();
                    seq.start(prompts[i], params[i], got[i]);
                    running.add(seq);
                }
            }
            long decoding = running.stream().filter(s -> s.active() && !s.prefilling()).count();
            long prefilling = running.stream().filter(BatchSequence::prefilling).count();
            if (decoding > 0 && prefilling > 0) mixedSteps++;
            int tokens = engine.step(running);
            if (tokens == 0 && step > JOIN_AT[n - 1]) break;
        }
        assertThat(mixedSteps).as("steps that decode some sequences while prefilling others").isGreaterThan(5);
        for (int i = 0; i < n; i++) {
            Recorder r = got[i];
            assertThat(r.error).as("request %d", i).isNull();
            assertThat(r.finished).as("request %d finished", i).isNotNull();
            assertThat(r.tokenArray()).as("request %d (prompt %d tokens)", i, PROMPT_LENGTHS[i])
                    .containsExactly(alone[i].tokens());
            assertThat(r.finished.stopReason()).as("request %d", i).isEqualTo(alone[i].stopReason());
            assertThat(r.text.toString()).as("request %d streamed text", i).isEqualTo(aloneText[i].toString());
        }
    }

    @Test
    void theBatchedRunIsNotTriviallyEqual() {
        // Guards the test above: different prompts do give different continuations on the models used.
        Model model = model("synth-llama-Q8_0.gguf");
        Session a = new Session(model, CONTEXT, CHUNK, KvSpec.parse("full").newPolicy());
        Session b = new Session(model, CONTEXT, CHUNK, KvSpec.parse("full").newPolicy());
        Generation ga = a.generate(prompt(model, 17, 101), GenerationParams.greedy(20).toBuilder().ignoreEos(true).build(),
                TokenListener.NONE);
        Generation gb = b.generate(prompt(model, 40, 102), GenerationParams.greedy(20).toBuilder().ignoreEos(true).build(),
                TokenListener.NONE);
        assertThat(ga.tokens()).isNotEqualTo(gb.tokens());
    }
}
