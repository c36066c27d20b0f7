package dev.winnow.kv.policy;

import static dev.winnow.kv.policy.TinyCaches.positions;
import static dev.winnow.kv.policy.TinyCaches.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.SharedData;
import dev.winnow.gguf.GgufFile;
import dev.winnow.kv.KvCache;
import dev.winnow.tokenizer.Tokenizer;
import dev.winnow.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code duo} on hand-made caches, profiles and profilers (the model runs are in {@link DuoOnModelTest}). */
@org.junit.jupiter.api.extension.ExtendWith(dev.winnow.OwnWinnowCache.class)
class DuoAttentionPolicyTest {
    @TempDir
    Path dir;

    static final HeadProfiler NEVER = (tokens, recorder) -> {
        throw new AssertionError("the profiler must not run");
    };

    /** A fake model file and, next to it, a profile with these {induction, echo} scores per [layer][head]. */
    Path modelWithProfile(float[][][] scores) throws IOException {
        Path model = dir.resolve("m.gguf");
        Files.write(model, new byte[123]);
        StringBuilder sb = new StringBuilder("winnow-head-profile 1\n");
        sb.append("model-size 123\nmodel-mtime ").append(Files.getLastModifiedTime(model).toMillis()).append('\n');
        sb.append("probe 256\nseed 7\nlayers ").append(scores.length).append("\nkv-heads ").append(scores[0].length).append('\n');
        sb.append("# layer kv-head induction echo class\n");
        for (int l = 0; l < scores.length; l++) {
            for (int h = 0; h < scores[l].length; h++) {
                sb.append(l).append(' ').append(h).append(' ').append(scores[l][h][0]).append(' ').append(scores[l][h][1])
                        .append(" streaming\n");
            }
        }
        Files.writeString(model.resolveSibling("m.gguf" + DuoAttentionPolicy.PROFILE_SUFFIX), sb);
        return model;
    }

    static final float[][][] SCORES = {
        {{0.9f, 0.1f}, {0.05f, 0.02f}},
        {{0.1f, 0.6f}, {0.01f, 0.01f}},
    };

    @Test
    void retrievalHeadsKeepEverythingStreamingHeadsSinksAndWindow() throws IOException {
        Path model = modelWithProfile(SCORES);
        PolicyContext ctx = TinyCaches.ctx(2, 2, 4, null, model, NEVER);
        DuoAttentionPolicy p = (DuoAttentionPolicy) KvSpec.parse("duo:sinks=2,window=3,retrieval=0.5").newPolicy();
        KvCache cache = TinyCaches.plain(2, 2, 12);
        p.attach(cache, ctx);
        assertThat(p.profileSource()).isEqualTo(DuoAttentionPolicy.ProfileSource.LOADED);
        // Top half by max(induction, echo): layer 0 head 0 (0.9) and layer 1 head 0 (0.6).
        assertThat(p.retrievalHeads()).isDeepEqualTo(new boolean[][] {{true, false}, {true, false}});
        p.afterPrefill(cache, ctx);
        assertThat(positions(cache, 0, 0)).containsExactly(range(0, 12));
        assertThat(positions(cache, 1, 0)).containsExactly(range(0, 12));
        assertThat(positions(cache, 0, 1)).containsExactly(0, 1, 9, 10, 11);
        assertThat(positions(cache, 1, 1)).containsExactly(0, 1, 9, 10, 11);
        // Decoding: streaming heads stay at sinks + window.
        for (int l = 0; l < 2; l++) for (int h = 0; h < 2; h++) cache.head(l, h).append(new float[4], 0, new float[4], 0, 12, 12);
        p.afterDecode(cache, ctx);
        assertThat(positions(cache, 0, 0)).containsExactly(range(0, 13));
        assertThat(positions(cache, 0, 1)).containsExactly(0, 1, 10, 11, 12);
    }

    @Test
    void aThresholdClassifiesByScore() throws IOException {
        Path model = modelWithProfile(SCORES);
        PolicyContext ctx = TinyCaches.ctx(2, 2, 4, null, model, NEVER);
        DuoAttentionPolicy p = (DuoAttentionPolicy) KvSpec.parse("duo:threshold=0.05").newPolicy();
        p.attach(new KvCache(2, 2, 4), ctx);
        assertThat(p.retrievalHeads()).isDeepEqualTo(new boolean[][] {{true, true}, {true, false}});
        DuoAttentionPolicy all = (DuoAttentionPolicy) KvSpec.parse("duo:retrieval=1").newPolicy();
        all.attach(new KvCache(2, 2, 4), ctx);
        assertThat(all.retrievalHeads()).isDeepEqualTo(new boolean[][] {{true, true}, {true, true}});
    }

    @Test
    void compensationTokenIsTheRunningMeanOfTheDroppedEntries() throws IOException {
        Path model = modelWithProfile(SCORES);
        PolicyContext ctx = TinyCaches.ctx(2, 2, 4, null, model, NEVER);
        DuoAttentionPolicy p = (DuoAttentionPolicy) KvSpec.parse("duo:sinks=2,window=3,retrieval=0.5,compensate=true")
                .newPolicy();
        float[] keys = new float[12];
        for (int i = 0; i < 12; i++) keys[i] = 10 * i;
        KvCache cache = TinyCaches.cache(2, 2, keys);
        p.attach(cache, ctx);
        p.afterPrefill(cache, ctx);
        // Dropped 2..8: mean value 5, mean key 50; the token takes the newest dropped position, in
        // position order between the sinks and the window (issue #20 item 6: positions ascending)
        assertThat(positions(cache, 0, 1)).containsExactly(0, 1, 8, 9, 10, 11);
        assertIndexOfPositionFindsEveryEntry(cache.head(0, 1));
        float[] k = new float[4], v = new float[4];
        cache.head(0, 1).key(2, k, 0);
        cache.head(0, 1).value(2, v, 0);
        assertThat(k[0]).isEqualTo(50f);
        assertThat(v[0]).isEqualTo(5f);
        assertThat(positions(cache, 0, 0)).hasSize(12);
        // One more token: entry 9 is dropped too; the mean over 2..9 is 5.5.
        for (int l = 0; l < 2; l++) {
            for (int h = 0; h < 2; h++) cache.head(l, h).append(new float[] {120, 0, 0, 0}, 0, new float[] {12, 0, 0, 0}, 0, 12, 12);
        }
        p.afterDecode(cache, ctx);
        assertThat(positions(cache, 0, 1)).containsExactly(0, 1, 9, 10, 11, 12);
        assertIndexOfPositionFindsEveryEntry(cache.head(0, 1));
        cache.head(0, 1).key(2, k, 0);
        cache.head(0, 1).value(2, v, 0);
        assertThat(k[0]).isEqualTo(55f);
        assertThat(v[0]).isEqualTo(5.5f);
        assertThat(p.streamingEntries()).isEqualTo(6);
    }

    private static void assertIndexOfPositionFindsEveryEntry(dev.winnow.kv.HeadStore s) {
        for (int i = 0; i < s.size(); i++) assertThat(s.indexOfPosition(s.position(i))).isEqualTo(i);
    }

    /** A fake model run: layer 0 head 1 is an induction head, layer 1 head 0 an echo head, the rest attend to BOS. */
    static HeadProfiler fakeModel(AtomicInteger runs) {
        return (tokens, recorder) -> {
            runs.incrementAndGet();
            int p = (tokens.length - 1) / 2;
            for (int q = 0; q < tokens.length; q++) {
                for (int l = 0; l < 2; l++) {
                    for (int h = 0; h < 2; h++) {
                        float[] probs = new float[q + 1];
                        probs[0] = 1;
                        int j = q - 1 - p;
                        if (j >= 0 && l == 0 && h == 1) {
                            probs[0] = 0.2f;
                            probs[j + 2] += 0.8f;
                        } else if (j >= 0 && l == 1 && h == 0) {
                            probs[0] = 0.3f;
                            probs[j + 1] += 0.7f;
                        }
                        recorder.record(l, h, null, probs, q + 1, 1, q);
                    }
                }
            }
        };
    }

    @Test
    void profilesOnceThenLoadsTheSavedProfile() throws IOException {
        Tokenizer tok;
        try (GgufFile f = GgufFile.open(SharedData.path("models/stories260K.gguf"))) {
            tok = Tokenizers.fromGguf(f);
        }
        Path model = dir.resolve("fake.gguf");
        Files.write(model, new byte[10]);
        AtomicInteger runs = new AtomicInteger();
        PolicyContext ctx = TinyCaches.ctx(2, 2, 2, tok, model, fakeModel(runs));
        DuoAttentionPolicy p = (DuoAttentionPolicy) KvSpec.parse("duo:retrieval=0.5").newPolicy();
        p.attach(new KvCache(2, 2, 4), ctx);
        assertThat(runs).hasValue(1);
        assertThat(p.profileSource()).isEqualTo(DuoAttentionPolicy.ProfileSource.COMPUTED_AND_SAVED);
        assertThat(p.profile().induction(0, 1)).isEqualTo(0.8f, org.assertj.core.api.Assertions.within(1e-6f));
        assertThat(p.profile().echo(1, 0)).isEqualTo(0.7f, org.assertj.core.api.Assertions.within(1e-6f));
        assertThat(p.profile().score(0, 0)).isZero();
        assertThat(p.retrievalHeads()).isDeepEqualTo(new boolean[][] {{false, true}, {true, false}});
        // Saved in the Winnow cache under the model's content key, not next to the model.
        Path file = dev.winnow.model.DerivedFiles.path(model, "winnow-heads");
        assertThat(p.profileFile()).isEqualTo(file);
        assertThat(dir.resolve("fake.gguf" + DuoAttentionPolicy.PROFILE_SUFFIX)).doesNotExist();
        String saved = Files.readString(file);
        assertThat(saved).startsWith("winnow-head-profile 1\nmodel-size 10\n").contains("\n0 1 0.8").contains(" retrieval\n");

        // A second policy loads it and does not run the profiler; reset (attach again) neither.
        DuoAttentionPolicy q = (DuoAttentionPolicy) KvSpec.parse("duo:retrieval=0.5").newPolicy();
        PolicyContext noProfiler = TinyCaches.ctx(2, 2, 2, tok, model, NEVER);
        q.attach(new KvCache(2, 2, 4), noProfiler);
        q.attach(new KvCache(2, 2, 4), noProfiler);
        assertThat(q.profileSource()).isEqualTo(DuoAttentionPolicy.ProfileSource.LOADED);
        assertThat(q.retrievalHeads()).isDeepEqualTo(p.retrievalHeads());
        assertThat(Files.readString(file)).isEqualTo(saved);

        // Another seed is another profile: profiled again.
        DuoAttentionPolicy r = (DuoAttentionPolicy) KvSpec.parse("duo:retrieval=0.5,seed=8").newPolicy();
        r.attach(new KvCache(2, 2, 4), ctx);
        assertThat(runs).hasValue(2);
        assertThat(Files.readString(file)).contains("\nseed 8\n");

        // profile=off never reads or writes.
        Files.delete(file);
        DuoAttentionPolicy off = (DuoAttentionPolicy) KvSpec.parse("duo:retrieval=0.5,profile=off").newPolicy();
        off.attach(new KvCache(2, 2, 4), ctx);
        assertThat(off.profileSource()).isEqualTo(DuoAttentionPolicy.ProfileSource.COMPUTED);
        assertThat(file).doesNotExist();

        // profile=PATH writes there.
        Path explicit = dir.resolve("heads.txt");
        DuoAttentionPolicy at = (DuoAttentionPolicy) KvSpec.parse("duo:retrieval=0.5,profile=" + explicit).newPolicy();
        at.attach(new KvCache(2, 2, 4), ctx);
        assertThat(explicit).exists();
        assertThat(file).doesNotExist();
    }

    @Test
    void aStaleProfileIsRecomputed() throws IOException {
        Path model = modelWithProfile(SCORES);
        Files.write(model, new byte[124]); // the model changed
        AtomicInteger runs = new AtomicInteger();
        Tokenizer tok;
        try (GgufFile f = GgufFile.open(SharedData.path("models/stories260K.gguf"))) {
            tok = Tokenizers.fromGguf(f);
        }
        DuoAttentionPolicy p = (DuoAttentionPolicy) KvSpec.parse("duo:retrieval=0.5").newPolicy();
        p.attach(new KvCache(2, 2, 4), TinyCaches.ctx(2, 2, 2, tok, model, fakeModel(runs)));
        assertThat(runs).hasValue(1);
        assertThat(p.retrievalHeads()).isDeepEqualTo(new boolean[][] {{false, true}, {true, false}});
        assertThat(Files.readString(p.profileFile())).contains("model-size 124\n");
    }

    @Test
    void corruptProfilesAreClearErrors() throws IOException {
        Path model = modelWithProfile(SCORES);
        Path file = model.resolveSibling("m.gguf" + DuoAttentionPolicy.PROFILE_SUFFIX);
        String good = Files.readString(file);
        PolicyContext ctx = TinyCaches.ctx(2, 2, 4, null, model, NEVER);
        String[][] cases = {
            {"", "expected the header 'winnow-head-profile 1', got an empty file"},
            {"hello\n", "line 1: expected the header 'winnow-head-profile 1', got 'hello'"},
            {good.replace("probe 256", "probe x"), "line 4: probe 'x' is not a whole number"},
            {good.replace("layers 2\n", ""), "line 6: expected 'layers <number>', got 'kv-heads 2'"},
            {good.replace("0 1 0.05 0.02", "0 1 0.05 abc"), "echo score 'abc' is not a number"},
            {good.replace("0 1 0.05 0.02 streaming", "0 1 0.05 0.02 fast"), "class 'fast' is neither retrieval nor streaming"},
            {good.replace("1 1 0.01 0.01 streaming", "0 0 0.01 0.01 streaming"), "layer 0 kv-head 0 given twice"},
            {good.replace("1 1 0.01 0.01 streaming\n", ""), "ends after 3 of 4 head lines"},
            {good.replace("1 0 0.1 0.6", "1 2 0.1 0.6"), "kv-head 2 is outside 0..1"},
            {good + "5 5 0 0 streaming\n", "unexpected line after the 4 heads"},
            {good.replace("0 0 0.9", "0 0 7.5"), "induction score 7.5 is not in [0, 1]"},
        };
        for (String[] c : cases) {
            Files.writeString(file, c[0]);
            DuoAttentionPolicy p = (DuoAttentionPolicy) KvSpec.parse("duo").newPolicy();
            assertThatThrownBy(() -> p.attach(new KvCache(2, 2, 4), ctx)).as(c[1]).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("corrupt head profile " + file).hasMessageContaining(c[1]);
        }
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        DuoAttentionPolicy p = (DuoAttentionPolicy) KvSpec.parse("duo").newPolicy();
        assertThatThrownBy(() -> p.attach(new KvCache(2, 2, 4), ctx)).hasMessageContaining("not UTF-8 text");
        // A profile of another shape.
        Files.writeString(file, good);
        DuoAttentionPolicy wide = (DuoAttentionPolicy) KvSpec.parse("duo").newPolicy();
        assertThatThrownBy(() -> wide.attach(new KvCache(3, 2, 4), TinyCaches.ctx(3, 2, 4, null, model, NEVER)))
                .hasMessageContaining("it is for a model with 2 layers x 2 KV heads, this model has 3 x 2");
    }

    @Test
    void withoutProfileOrProfilerTheErrorSaysWhatIsMissing() {
        DuoAttentionPolicy p = (DuoAttentionPolicy) KvSpec.parse("duo").newPolicy();
        assertThatThrownBy(() -> p.attach(new KvCache(1, 1, 4), TinyCaches.ctx(1, 1, 1)))
                .hasMessageContaining("head profiling needs a profiler");
    }

    @Test
    void parametersAreValidated() {
        assertThatThrownBy(() -> KvSpec.parse("duo:retrieval=0.3,threshold=0.1")).hasMessageContaining("not both");
        assertThatThrownBy(() -> KvSpec.parse("duo:retrieval=2")).hasMessageContaining("retrieval=2 must be between 0.0 and 1.0");
        assertThatThrownBy(() -> KvSpec.parse("duo:compensate=yes")).hasMessageContaining("compensate='yes' is not one of true, false");
        assertThatThrownBy(() -> KvSpec.parse("duo:window=0")).hasMessageContaining("window=0 must be >= 1");
        assertThatThrownBy(() -> KvSpec.parse("duo:probe=1")).hasMessageContaining("probe=1 must be >= 2");
    }
}
