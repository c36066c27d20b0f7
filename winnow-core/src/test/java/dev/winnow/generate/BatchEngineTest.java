package dev.winnow.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.OnStoriesModel;
import dev.winnow.kv.policy.KvSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The API of the continuous-batching engine on stories260K, each behaviour checked against {@link Session} alone. */
class BatchEngineTest extends OnStoriesModel {

    /** Collects what the engine streams. */
    static class Recorder implements BatchListener {
        final StringBuilder text = new StringBuilder();
        final List<Integer> tokens = new ArrayList<>();
        Generation finished;
        RuntimeException error;

        @Override
        public void onToken(int token, String piece, float[] logits) {
            assertThat(finished).as("token after finish").isNull();
            tokens.add(token);
            text.append(piece);
        }

        @Override
        public void onText(String piece) {
            text.append(piece);
        }

        @Override
        public void onFinish(Generation generation) {
            finished = generation;
        }

        @Override
        public void onError(RuntimeException e) {
            error = e;
        }

        int[] tokenArray() {
            return tokens.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private int[] prompt(String text) {
        return model.tokenizer().encode(text, true, false);
    }

    private static void runUntilIdle(BatchEngine engine, List<BatchSequence> seqs) {
        for (int guard = 0; seqs.stream().anyMatch(BatchSequence::active); guard++) {
            assertThat(guard).as("steps").isLessThan(10_000);
            engine.step(seqs);
        }
    }

    private Generation alone(int[] prompt, GenerationParams params, String kv, StringBuilder streamed) {
        Session s = new Session(model, 512, Session.DEFAULT_BATCH, KvSpec.parse(kv).newPolicy());
        return s.generate(prompt, params, streamed::append);
    }

    private Recorder batched(int[] prompt, GenerationParams params, String kv) {
        BatchEngine engine = new BatchEngine(model, 256);
        BatchSequence seq = new BatchSequence(model, 512, KvSpec.parse(kv).newPolicy());
        Recorder r = new Recorder();
        seq.start(prompt, params, r);
        runUntilIdle(engine, List.of(seq));
        return r;
    }

    @Test
    void oneSequenceGivesExactlyTheTokensAndTextOfSessionGenerate() {
        int[] prompt = prompt("Once upon a time, there was a little girl named Lily.");
        StringBuilder streamed = new StringBuilder();
        Generation expected = alone(prompt, GenerationParams.greedy(120), "full", streamed);
        Recorder r = batched(prompt, GenerationParams.greedy(120), "full");
        assertThat(r.error).isNull();
        assertThat(r.tokenArray()).containsExactly(expected.tokens());
        assertThat(r.finished.tokens()).containsExactly(expected.tokens());
        assertThat(r.finished.text()).isEqualTo(expected.text());
        assertThat(r.text.toString()).isEqualTo(streamed.toString()).isEqualTo(expected.text());
        assertThat(r.finished.stopReason()).isEqualTo(expected.stopReason());
        assertThat(r.finished.promptTokens()).isEqualTo(prompt.length);
    }

    @Test
    void maxTokensEndsWithLengthAndTheLastTokenCarriesTheHeldBackText() {
        int[] prompt = prompt("Tom had a big red ball.");
        Generation expected = alone(prompt, GenerationParams.greedy(7), "full", new StringBuilder());
        Recorder r = batched(prompt, GenerationParams.greedy(7), "full");
        assertThat(r.finished.stopReason()).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(r.tokenArray()).hasSize(7).containsExactly(expected.tokens());
        assertThat(r.text.toString()).isEqualTo(expected.text());
    }

    @Test
    void zeroMaxTokensOnlyPrefills() {
        BatchEngine engine = new BatchEngine(model, 64);
        BatchSequence seq = new BatchSequence(model, 512, KvSpec.parse("full").newPolicy());
        Recorder r = new Recorder();
        int[] prompt = prompt("The sun was hot.");
        seq.start(prompt, GenerationParams.greedy(0), r);
        runUntilIdle(engine, List.of(seq));
        assertThat(r.finished.stopReason()).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(r.tokens).isEmpty();
        assertThat(seq.cache().head(0, 0).size()).isEqualTo(prompt.length);
    }

    @Test
    void stopStringsEndTheGenerationAsInASession() {
        int[] prompt = prompt("Once upon a time");
        Generation free = alone(prompt, GenerationParams.greedy(60), "full", new StringBuilder());
        // A stop string taken from the middle of what the model writes.
        String stop = free.text().substring(20, 24);
        GenerationParams params = GenerationParams.builder().temperature(0).maxTokens(60).stop(stop).build();
        StringBuilder streamed = new StringBuilder();
        Generation expected = alone(prompt, params, "full", streamed);
        Recorder r = batched(prompt, params, "full");
        assertThat(expected.stopReason()).isEqualTo(StopReason.STOP_STRING);
        assertThat(r.finished.stopReason()).isEqualTo(StopReason.STOP_STRING);
        assertThat(r.tokenArray()).containsExactly(expected.tokens());
        assertThat(r.text.toString()).isEqualTo(streamed.toString()).doesNotContain(stop);
        assertThat(r.finished.text()).isEqualTo(expected.text());
    }

    @Test
    void sampledGenerationWithASeedEqualsTheSession() {
        int[] prompt = prompt("Lily and Ben went to the park.");
        GenerationParams params = GenerationParams.builder().temperature(0.9f).seed(42).maxTokens(50).build();
        Generation expected = alone(prompt, params, "full", new StringBuilder());
        Recorder r = batched(prompt, params, "full");
        assertThat(r.tokenArray()).containsExactly(expected.tokens());
    }

    @Test
    void cancelEndsTheSequenceAtTheNextStepAndFreesIt() {
        BatchEngine engine = new BatchEngine(model, 64);
        BatchSequence seq = new BatchSequence(model, 512, KvSpec.parse("full").newPolicy());
        BatchSequence other = new BatchSequence(model, 512, KvSpec.parse("full").newPolicy());
        Recorder r = new Recorder(), o = new Recorder();
        seq.start(prompt("A cat sat."), GenerationParams.greedy(100), r);
        other.start(prompt("A dog ran."), GenerationParams.greedy(10), o);
        List<BatchSequence> both = List.of(seq, other);
        for (int i = 0; i < 5; i++) engine.step(both);
        int before = r.tokens.size();
        assertThat(before).isPositive();
        seq.cancel();
        engine.step(both);
        assertThat(seq.active()).isFalse();
        assertThat(r.finished.stopReason()).isEqualTo(StopReason.CANCELLED);
        assertThat(r.tokens).hasSize(before);
        runUntilIdle(engine, both);
        assertThat(o.finished.stopReason()).isEqualTo(StopReason.MAX_TOKENS);
        assertThat(engine.step(both)).isZero();
        seq.reset();
        assertThat(seq.length()).isZero();
        assertThat(seq.cache().head(0, 0).size()).isZero();
    }

    @Test
    void aPromptThatDoesNotFitIsRefusedBeforeAnythingChanges() {
        BatchSequence seq = new BatchSequence(model, 32, KvSpec.parse("full").newPolicy());
        int[] prompt = new int[40];
        java.util.Arrays.fill(prompt, 1, 40, 300);
        prompt[0] = 1;
        assertThatThrownBy(() -> seq.start(prompt, GenerationParams.greedy(4), new Recorder()))
                .isInstanceOf(ContextOverflowException.class)
                .hasMessageContaining("40 tokens").hasMessageContaining("context length 32");
        assertThat(seq.active()).isFalse();
        assertThat(seq.length()).isZero();
        // A policy that bounds the cache takes it.
        BatchSequence streaming = new BatchSequence(model, 32, KvSpec.parse("streaming:sinks=4,window=16").newPolicy());
        Recorder r = new Recorder();
        streaming.start(prompt, GenerationParams.greedy(4), r);
        runUntilIdle(new BatchEngine(model, 16), List.of(streaming));
        assertThat(r.finished.tokens()).hasSize(4);
    }

    @Test
    void aGenerationStopsWhenTheContextIsFull() {
        int[] prompt = prompt("Once upon a time");
        Session s = new Session(model, prompt.length + 5, 16, KvSpec.parse("full").newPolicy());
        Generation expected = s.generate(prompt, GenerationParams.greedy(50), TokenListener.NONE);
        BatchSequence seq = new BatchSequence(model, prompt.length + 5, KvSpec.parse("full").newPolicy());
        Recorder r = new Recorder();
        seq.start(prompt, GenerationParams.greedy(50), r);
        runUntilIdle(new BatchEngine(model, 16), List.of(seq));
        assertThat(r.finished.stopReason()).isEqualTo(StopReason.CONTEXT_FULL).isEqualTo(expected.stopReason());
        assertThat(r.finished.tokens()).containsExactly(expected.tokens());
        assertThat(r.text.toString()).isEqualTo(expected.text());
    }

    @Test
    void aSecondTurnContinuesTheCacheLikeASession() {
        int[] first = prompt("Once upon a time");
        int[] second = model.tokenizer().encode(" The end. One day", false, false);
        Session s = new Session(model, 512, Session.DEFAULT_BATCH, KvSpec.parse("full").newPolicy());
        s.generate(first, GenerationParams.greedy(20), TokenListener.NONE);
        Generation expected = s.generate(second, GenerationParams.greedy(20), TokenListener.NONE);

        BatchEngine engine = new BatchEngine(model, 128);
        BatchSequence seq = new BatchSequence(model, 512, KvSpec.parse("full").newPolicy());
        seq.start(first, GenerationParams.greedy(20), new Recorder());
        runUntilIdle(engine, List.of(seq));
        int held = seq.length();
        Recorder r = new Recorder();
        seq.start(second, GenerationParams.greedy(20), r);
        assertThat(seq.cachedPromptTokens()).isEqualTo(held - 1); // the last generated token was never run
        runUntilIdle(engine, List.of(seq));
        assertThat(r.finished.tokens()).containsExactly(expected.tokens());
        assertThat(seq.tokens()).containsExactly(s.tokens());
    }

    @Test
    void rewindToTheCommonPrefixReusesTheCacheAndGivesTheSameAnswerAsAFreshRun() {
        int[] a = prompt("Once upon a time, there was a dog named Max. Max liked to run.");
        int[] b = prompt("Once upon a time, there was a dog named Max. He was very sad.");
        BatchEngine engine = new BatchEngine(model, 128);
        BatchSequence seq = new BatchSequence(model, 512, KvSpec.parse("full").newPolicy());
        seq.start(a, GenerationParams.greedy(10), new Recorder());
        runUntilIdle(engine, List.of(seq));

        int common = seq.commonPrefix(b);
        assertThat(common).isGreaterThan(5).isLessThan(b.length);
        assertThat(seq.rewind(common)).isTrue();
        assertThat(seq.length()).isEqualTo(common);
        assertThat(seq.cache().head(2, 1).size()).isEqualTo(common);
        Recorder r = new Recorder();
        seq.start(java.util.Arrays.copyOfRange(b, common, b.length), GenerationParams.greedy(30), r);
        assertThat(seq.cachedPromptTokens()).isEqualTo(common);
        runUntilIdle(engine, List.of(seq));

        Generation fresh = alone(b, GenerationParams.greedy(30), "full", new StringBuilder());
        assertThat(r.finished.tokens()).containsExactly(fresh.tokens());
    }

    @Test
    void rewindIsRefusedWhenThePolicyEvicted() {
        BatchSequence seq = new BatchSequence(model, 512, KvSpec.parse("streaming:sinks=4,window=16").newPolicy());
        seq.start(prompt("Once upon a time, there was a dog named Max. Max liked to run."), GenerationParams.greedy(20),
                new Recorder());
        runUntilIdle(new BatchEngine(model, 64), List.of(seq));
        int length = seq.length();
        assertThat(seq.rewind(5)).isFalse();
        assertThat(seq.length()).isEqualTo(length);
        assertThat(seq.rewind(length)).isTrue();
    }

    @Test
    void startingAnActiveSequenceOrWithNothingIsAnError() {
        BatchSequence seq = new BatchSequence(model, 512, KvSpec.parse("full").newPolicy());
        assertThatThrownBy(() -> seq.start(new int[0], GenerationParams.greedy(4), new Recorder()))
                .hasMessageContaining("empty prompt");
        assertThatThrownBy(() -> seq.start(new int[] {1, 9999}, GenerationParams.greedy(4), new Recorder()))
                .hasMessageContaining("9999");
        seq.start(prompt("Hi"), GenerationParams.greedy(4), new Recorder());
        assertThatThrownBy(() -> seq.start(prompt("Hi"), GenerationParams.greedy(4), new Recorder()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aListenerThatThrowsEndsOnlyItsOwnSequence() {
        BatchEngine engine = new BatchEngine(model, 64);
        BatchSequence bad = new BatchSequence(model, 512, KvSpec.parse("full").newPolicy());
        BatchSequence good = new BatchSequence(model, 512, KvSpec.parse("full").newPolicy());
        Recorder failing = new Recorder() {
            @Override
            public void onToken(int token, String piece, float[] logits) {
                throw new IllegalStateException("client went away");
            }
        };
        Recorder ok = new Recorder();
        bad.start(prompt("A"), GenerationParams.greedy(10), failing);
        good.start(prompt("B"), GenerationParams.greedy(10), ok);
        runUntilIdle(engine, List.of(bad, good));
        assertThat(failing.error).hasMessage("client went away");
        assertThat(ok.finished.tokens()).hasSize(10);
    }
}
