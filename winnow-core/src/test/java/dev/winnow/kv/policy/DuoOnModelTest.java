package dev.winnow.kv.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.winnow.SharedData;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Session;
import dev.winnow.generate.TokenListener;
import dev.winnow.kv.KvCache;
import dev.winnow.model.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code duo} on stories260K, with a copy of the model in a temporary directory (the profile goes to the Winnow cache). */
@org.junit.jupiter.api.extension.ExtendWith(dev.winnow.OwnWinnowCache.class)
class DuoOnModelTest {
    @TempDir
    Path dir;

    Path copyOfModel() throws IOException {
        Path copy = dir.resolve("stories260K.gguf");
        Files.copy(SharedData.path("models/stories260K.gguf"), copy);
        return copy;
    }

    @Test
    void profilingIsDeterministicAndCachedInTheWinnowCache() throws IOException {
        Path copy = copyOfModel();
        Path file = dev.winnow.model.DerivedFiles.path(copy, "winnow-heads");
        try (Model model = Model.load(copy)) {
            int layers = model.config().layers(), kvHeads = model.config().kvHeads();
            Session first = new Session(model, 512, 64, KvSpec.parse("duo:window=28").newPolicy());
            DuoAttentionPolicy p1 = (DuoAttentionPolicy) first.policy();
            assertThat(p1.profileSource()).isEqualTo(DuoAttentionPolicy.ProfileSource.COMPUTED_AND_SAVED);
            assertThat(file).exists();
            String content = Files.readString(file);
            FileTime mtime = Files.getLastModifiedTime(file);
            assertThat(content).contains("model-size " + Files.size(copy) + "\n").contains("probe 256\n")
                    .contains("layers " + layers + "\n").contains("kv-heads " + kvHeads + "\n");
            int retrieval = 0;
            for (boolean[] row : p1.retrievalHeads()) for (boolean b : row) if (b) retrieval++;
            assertThat(retrieval).isEqualTo(Math.round(0.25f * layers * kvHeads));
            // Independently of classify: the retrieval heads are exactly those whose max(induction,
            // echo) is among the top quarter of all heads' (no head below one that is not chosen).
            float[] score = new float[layers * kvHeads];
            for (int l = 0; l < layers; l++) {
                for (int h = 0; h < kvHeads; h++) {
                    score[l * kvHeads + h] = Math.max(p1.profile().induction(l, h), p1.profile().echo(l, h));
                }
            }
            float[] sorted = score.clone();
            java.util.Arrays.sort(sorted);
            float cut = sorted[sorted.length - retrieval];
            for (int l = 0; l < layers; l++) {
                for (int h = 0; h < kvHeads; h++) {
                    float sc = score[l * kvHeads + h];
                    if (sc > cut) assertThat(p1.retrievalHeads()[l][h]).as("head %d/%d (score %s > cut %s)", l, h, sc, cut).isTrue();
                    if (sc < cut) assertThat(p1.retrievalHeads()[l][h]).as("head %d/%d (score %s < cut %s)", l, h, sc, cut).isFalse();
                }
            }

            // Profiling again (profile=off: no file) gives the same classes and scores (up to float
            // rounding: vector reductions may sum in another order once the JIT has compiled them).
            DuoAttentionPolicy p2 = (DuoAttentionPolicy) new Session(model, 512, 64,
                    KvSpec.parse("duo:window=28,profile=off").newPolicy()).policy();
            assertThat(p2.profileSource()).isEqualTo(DuoAttentionPolicy.ProfileSource.COMPUTED);
            assertThat(p2.retrievalHeads()).isDeepEqualTo(p1.retrievalHeads());
            for (int l = 0; l < layers; l++) {
                for (int h = 0; h < kvHeads; h++) {
                    assertThat(p2.profile().induction(l, h)).isCloseTo(p1.profile().induction(l, h), within(1e-6f));
                    assertThat(p2.profile().echo(l, h)).isCloseTo(p1.profile().echo(l, h), within(1e-6f));
                }
            }

            // A second session loads the file, which stays as it was.
            Session second = new Session(model, 512, 64, KvSpec.parse("duo:window=28").newPolicy());
            DuoAttentionPolicy p3 = (DuoAttentionPolicy) second.policy();
            assertThat(p3.profileSource()).isEqualTo(DuoAttentionPolicy.ProfileSource.LOADED);
            assertThat(p3.retrievalHeads()).isDeepEqualTo(p1.retrievalHeads());
            assertThat(Files.readString(file)).isEqualTo(content);
            assertThat(Files.getLastModifiedTime(file)).isEqualTo(mtime);

            // So does a policy whose profiler must not run.
            DuoAttentionPolicy p4 = (DuoAttentionPolicy) KvSpec.parse("duo:window=28").newPolicy();
            p4.attach(new KvCache(layers, kvHeads, model.config().headSize()), new PolicyContext(layers, kvHeads,
                    model.config().heads(), model.config().headSize(), 512, (k, o, d) -> {
                    }, model.tokenizer(), copy, DuoAttentionPolicyTest.NEVER, PolicyContext.historyOf()));
            assertThat(p4.retrievalHeads()).isDeepEqualTo(p1.retrievalHeads());

            // Generating: retrieval heads hold every token, streaming heads sinks + window.
            second.generate(model.tokenizer().encode(PolicyOnModelTest.PROMPT), GenerationParams.builder().temperature(0)
                    .maxTokens(40).build(), TokenListener.NONE);
            int held = second.position() - 1; // the last sampled token is pending
            assertThat(held).isGreaterThan(32);
            for (int l = 0; l < layers; l++) {
                for (int h = 0; h < kvHeads; h++) {
                    assertThat(second.cache().head(l, h).size()).as("layer %d head %d", l, h)
                            .isEqualTo(p3.isRetrieval(l, h) ? held : 32);
                }
            }
        }
    }

    @Test
    void compensatedStreamingHeadsHoldOneMoreEntryAndStillWrite() throws IOException {
        Path copy = copyOfModel();
        try (Model model = Model.load(copy)) {
            Session s = new Session(model, 512, 64, KvSpec.parse("duo:window=28,compensate=true").newPolicy());
            DuoAttentionPolicy p = (DuoAttentionPolicy) s.policy();
            var g = s.generate(model.tokenizer().encode(PolicyOnModelTest.PROMPT), GenerationParams.builder()
                    .temperature(0.7f).seed(3).maxTokens(40).build(), TokenListener.NONE);
            assertThat(g.text()).isNotBlank().doesNotContain("\uFFFD");
            int held = s.position() - 1;
            for (int l = 0; l < model.config().layers(); l++) {
                for (int h = 0; h < model.config().kvHeads(); h++) {
                    assertThat(s.cache().head(l, h).size()).isEqualTo(p.isRetrieval(l, h) ? held : 4 + 28 + 1);
                }
            }
        }
    }

    @Test
    void aTouchedModelFileKeepsItsCachedProfileButAStaleSideFileIsProfiledAgain() throws IOException {
        Path copy = copyOfModel();
        Path file = dev.winnow.model.DerivedFiles.path(copy, "winnow-heads");
        try (Model model = Model.load(copy)) {
            new Session(model, 512, 64, KvSpec.parse("duo").newPolicy());
            String before = Files.readString(file);
            // Same bytes, new mtime: the content key is the same, so the cached profile still holds.
            Files.setLastModifiedTime(copy, FileTime.fromMillis(Files.getLastModifiedTime(copy).toMillis() - 60_000));
            DuoAttentionPolicy p = (DuoAttentionPolicy) new Session(model, 512, 64, KvSpec.parse("duo").newPolicy()).policy();
            assertThat(p.profileSource()).isEqualTo(DuoAttentionPolicy.ProfileSource.LOADED);
            // An old side file next to the model (checked by size and mtime) that no longer matches is
            // profiled again, and the new profile goes to the cache.
            Files.delete(file);
            Path side = dir.resolve("stories260K.gguf" + DuoAttentionPolicy.PROFILE_SUFFIX);
            Files.writeString(side, before.replaceFirst("model-mtime -?[0-9]+", "model-mtime 12345"));
            DuoAttentionPolicy q = (DuoAttentionPolicy) new Session(model, 512, 64, KvSpec.parse("duo").newPolicy()).policy();
            assertThat(q.profileSource()).isEqualTo(DuoAttentionPolicy.ProfileSource.COMPUTED_AND_SAVED);
            assertThat(q.profileFile()).isEqualTo(file);
            assertThat(Files.readString(file)).contains("model-mtime " + Files.getLastModifiedTime(copy).toMillis() + "\n");
        }
    }

    @Test
    void aCorruptProfileNextToTheModelIsAClearError() throws IOException {
        Path copy = copyOfModel();
        Path file = dir.resolve("stories260K.gguf" + DuoAttentionPolicy.PROFILE_SUFFIX);
        Files.writeString(file, "winnow-head-profile 1\nmodel-size twelve\n");
        try (Model model = Model.load(copy)) {
            assertThatThrownBy(() -> new Session(model, 512, 64, KvSpec.parse("duo").newPolicy()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("corrupt head profile " + file + ": line 2: model-size 'twelve' is not a whole number")
                    .hasMessageContaining("delete the file");
        }
    }
}
