package dev.winnow.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.TestModels;
import dev.winnow.generate.BatchEngineTest.Recorder;
import dev.winnow.generate.speculative.SpeculateSpec;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Speculative sequences in a continuous batch (the server's path): each prompt runs twice in the
 * same {@link BatchEngine} — a plain twin and a speculating twin, joining at different steps next
 * to each other — and the speculating one streams the same tokens, text, stop reason and logits
 * (bit for bit, what log probabilities are computed from) as its plain twin and as
 * {@link Session#generate} alone, and leaves the same cache. Both are then continued with a stop
 * string that ends inside a speculative step's decided tokens, and compared again.
 */
class BatchSpeculationTest {
    private static final int CONTEXT = 512;
    private static final int CHUNK = 16;
    private static final TestModels MODELS = new TestModels();

    @AfterAll
    static void close() {
        MODELS.close();
    }

    static Stream<Arguments> cases() {
        return Stream.of("lookup:n=3,k=8", "recycling:k=8,tree=4/3/2/2/1/1/1/1", "self:kv=streaming:sinks=2;window=12,k=4")
                .flatMap(drafter -> Stream.of(Arguments.of("full", drafter), Arguments.of("int8", drafter)));
    }

    /** Records the logits of every token too (their bits, as a hash). */
    static final class LogitsRecorder extends Recorder {
        final List<Integer> logits = new ArrayList<>();

        @Override
        public void onToken(int token, String piece, float[] l) {
            super.onToken(token, piece, l);
            logits.add(Arrays.hashCode(l));
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void aSpeculatingSequenceInABatchGivesWhatItsPlainTwinGives(String kv, String drafter) {
        Model model = MODELS.get("stories260K.gguf");
        String[] texts = {"Once upon a time", "Lily and Tom went to the park. Lily and Tom", "The cat"};
        int n = texts.length;
        BatchEngine engine = new BatchEngine(model, 64, CHUNK);
        List<BatchSequence> running = new ArrayList<>();
        BatchSequence[] plain = new BatchSequence[n], spec = new BatchSequence[n];
        LogitsRecorder[] plainRec = new LogitsRecorder[n], specRec = new LogitsRecorder[n];
        Generation[] alone = new Generation[n];
        GenerationParams params = GenerationParams.builder().temperature(0).maxTokens(90).ignoreEos(true).build();
        for (int step = 0; step < 10_000; step++) {
            for (int i = 0; i < n; i++) {
                if (step == 3 * i) {
                    int[] prompt = model.tokenizer().encode(texts[i], true, false);
                    alone[i] = new Session(model, CONTEXT, CHUNK, KvSpec.parse(kv).newPolicy())
                            .generate(prompt, params, TokenListener.NONE);
                    plain[i] = new BatchSequence(model, CONTEXT, KvSpec.parse(kv).newPolicy());
                    spec[i] = new BatchSequence(model, CONTEXT, KvSpec.parse(kv).newPolicy());
                    spec[i].speculate(SpeculateSpec.parse(drafter));
                    plain[i].start(prompt, params, plainRec[i] = new LogitsRecorder());
                    spec[i].start(prompt, params, specRec[i] = new LogitsRecorder());
                    running.add(plain[i]);
                    running.add(spec[i]);
                }
            }
            if (engine.step(running) == 0 && step > 3 * n) break;
        }
        long accepted = 0;
        for (int i = 0; i < n; i++) {
            assertSame(plainRec[i], specRec[i], "prompt " + i);
            assertThat(specRec[i].tokenArray()).as("prompt %d alone", i).containsExactly(alone[i].tokens());
            SpeculativeGreedyTest.assertSameCache(plain[i].cache(), spec[i].cache());
            assertThat(spec[i].speculationStats().steps()).isGreaterThan(0).isLessThan(90);
            accepted += spec[i].speculationStats().accepted();
            assertThat(plain[i].speculationStats().steps()).isZero();
        }
        assertThat(accepted).as("draft tokens accepted").isGreaterThan(20);

        // Continue every conversation: a stop string in the middle of the plain continuation.
        for (int i = 0; i < n; i++) {
            String text = plainRec[i].text.toString();
            String stop = text.substring(text.length() / 3, text.length() / 3 + 3);
            GenerationParams more = GenerationParams.builder().temperature(0).maxTokens(60).stop(stop).build();
            plain[i].start(new int[0], more, plainRec[i] = new LogitsRecorder());
            spec[i].start(new int[0], more, specRec[i] = new LogitsRecorder());
        }
        while (engine.step(running) > 0) {
            // until every sequence is done
        }
        for (int i = 0; i < n; i++) {
            assertSame(plainRec[i], specRec[i], "continued prompt " + i);
            assertThat(spec[i].tokens()).containsExactly(plain[i].tokens());
            SpeculativeGreedyTest.assertSameCache(plain[i].cache(), spec[i].cache());
        }
    }

    private static void assertSame(LogitsRecorder plain, LogitsRecorder spec, String what) {
        assertThat(spec.error).as(what).isNull();
        assertThat(plain.error).as(what).isNull();
        assertThat(spec.finished).as(what + " finished").isNotNull();
        assertThat(spec.tokenArray()).as(what + " tokens").containsExactly(plain.tokenArray());
        assertThat(spec.text.toString()).as(what + " text").isEqualTo(plain.text.toString());
        assertThat(spec.finished.stopReason()).as(what + " stop reason").isEqualTo(plain.finished.stopReason());
        assertThat(spec.finished.tokens()).as(what + " generation").containsExactly(plain.finished.tokens());
        assertThat(spec.logits).as(what + " logits of every token").containsExactlyElementsOf(plain.logits);
    }

    @Test
    void aPolicyThatCannotRollBackIsRefusedWithTheReason() {
        Model model = MODELS.get("stories260K.gguf");
        BatchSequence s = new BatchSequence(model, CONTEXT, KvSpec.parse("h2o:budget=48").newPolicy());
        assertThat(s.speculationRefusal()).contains("h2o");
        assertThatThrownBy(() -> s.speculate(SpeculateSpec.parse("lookup")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot speculate with lookup: KV policy 'h2o");
        assertThat(s.speculating()).isNull();
        BatchSequence full = new BatchSequence(model, CONTEXT, KvSpec.parse("full").newPolicy());
        assertThatThrownBy(() -> full.speculate(SpeculateSpec.parse("self:kv=kivi,k=4")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("self: kv=kivi");
        assertThat(full.speculating()).isNull();
    }
}
