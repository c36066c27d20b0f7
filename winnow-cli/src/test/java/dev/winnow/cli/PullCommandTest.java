package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code winnow pull/list/rm} against {@link FakeHub} on a loopback port; the cache lives in a temporary HF_HOME. */
@Timeout(60)
class PullCommandTest {
    static final String STORIES_SHA = "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d";

    @TempDir
    Path home;
    FakeHub hub;
    Map<String, String> saved;

    @BeforeEach
    void start() throws Exception {
        hub = new FakeHub(Files.readAllBytes(SharedData.path("models/stories260K.gguf")));
        saved = HubEnvironment.current;
        HubEnvironment.current = hub.env(home);
    }

    @AfterEach
    void stop() {
        HubEnvironment.current = saved;
        hub.close();
    }

    Path repoDir() {
        return home.resolve("hub").resolve("models--test-org--stories");
    }

    static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    List<Path> blobs() throws Exception {
        Path b = repoDir().resolve("blobs");
        if (!Files.isDirectory(b)) return List.of();
        try (Stream<Path> s = Files.list(b)) {
            return s.toList();
        }
    }

    @Test
    void freshDownloadLandsInTheHubCacheLayoutAndServesDashM() throws Exception {
        Cli.Result r = Cli.run("pull", "test-org/stories:Q8_0");
        assertThat(r.exit()).as(r.err()).isZero();
        Path snap = repoDir().resolve("snapshots").resolve(FakeHub.COMMIT).resolve("stories-Q8_0.gguf");
        assertThat(r.out().strip()).isEqualTo(snap.toString());
        assertThat(Files.isSymbolicLink(snap)).isTrue();
        assertThat(snap.toRealPath()).isEqualTo(repoDir().resolve("blobs").resolve(STORIES_SHA).toRealPath());
        assertThat(sha256(snap)).isEqualTo(STORIES_SHA);
        assertThat(Files.readString(repoDir().resolve("refs/main"), StandardCharsets.UTF_8)).isEqualTo(FakeHub.COMMIT);
        assertThat(hub.log).anyMatch(l -> l.startsWith("HEAD /test-org/stories/resolve/" + FakeHub.COMMIT + "/stories-Q8_0.gguf"))
                .anyMatch(l -> l.startsWith("GET /blobs/" + STORIES_SHA));
        assertThat(r.err()).contains("100%");

        Cli.Result list = Cli.run("list");
        assertThat(list.out()).contains("test-org/stories:stories-Q8_0.gguf").contains("llama").contains("MiB").contains("F32");

        Cli.Result gen = Cli.run("generate", "-m", "test-org/stories:Q8_0", "-p", "Once upon a time", "-n", "5", "--temp", "0", "-t", "1");
        assertThat(gen.exit()).as(gen.err()).isZero();
        assertThat(gen.out()).isNotBlank();

        // Pulling again downloads nothing.
        int gets = (int) hub.log.stream().filter(l -> l.startsWith("GET /blobs/")).count();
        assertThat(Cli.run("pull", "test-org/stories:Q8_0").exit()).isZero();
        assertThat(hub.log.stream().filter(l -> l.startsWith("GET /blobs/")).count()).isEqualTo(gets);

        Cli.Result rm = Cli.run("rm", "test-org/stories:Q8_0");
        assertThat(rm.exit()).as(rm.err()).isZero();
        assertThat(Files.exists(snap)).isFalse();
        assertThat(blobs()).isEmpty();
    }

    @Test
    void aCutConnectionResumesWithARangeRequest() throws Exception {
        hub.cutAfter = 300_000;
        Cli.Result first = Cli.run("pull", "test-org/stories:stories-F32.gguf");
        assertThat(first.exit()).isEqualTo(1);
        assertThat(first.err()).contains("broke off").contains("resume");
        Path part = repoDir().resolve("blobs").resolve(STORIES_SHA + ".incomplete");
        // What arrived before the cut stays (a reset connection may lose the last buffered bytes).
        long kept = Files.size(part);
        assertThat(kept).isPositive().isLessThanOrEqualTo(300_000);

        Cli.Result second = Cli.run("pull", "test-org/stories:stories-F32.gguf");
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.err()).contains("resuming");
        assertThat(hub.log).contains("GET /blobs/" + STORIES_SHA + " bytes=" + kept + "-");
        assertThat(sha256(Path.of(second.out().strip()))).isEqualTo(STORIES_SHA);
        assertThat(Files.exists(part)).isFalse();
    }

    @Test
    void aWrongChecksumIsRejectedAndNothingStays() throws Exception {
        hub.wrongSha = true;
        Cli.Result r = Cli.run("pull", "test-org/stories:Q8_0");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).anyMatch(l -> l.startsWith("winnow: stories-Q8_0.gguf: SHA-256 mismatch"));
        assertThat(blobs()).isEmpty();
        assertThat(repoDir().resolve("snapshots")).doesNotExist();
    }

    @Test
    void gatedRepositoryNeedsHfToken() {
        hub.requireToken = true;
        Cli.Result r = Cli.run("pull", "test-org/stories:Q8_0");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("401").contains("HF_TOKEN").doesNotContain("\tat ");
        HubEnvironment.current = hub.env(home, "HF_TOKEN", FakeHub.TOKEN);
        Cli.Result ok = Cli.run("pull", "test-org/stories:Q8_0");
        assertThat(ok.exit()).as(ok.err()).isZero();
    }

    @Test
    void unknownRepositoryOrFileSaysSo() {
        Cli.Result r = Cli.run("pull", "test-org/nothing-here");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly("winnow: repository test-org/nothing-here: not found on " + hub.endpoint()
                + " (HTTP 404, RepoNotFound) — check the name; private repositories need HF_TOKEN");
        Cli.Result q = Cli.run("pull", "test-org/stories:Q2_K");
        assertThat(q.exit()).isEqualTo(1);
        assertThat(q.err()).contains("no GGUF file of test-org/stories matches 'Q2_K'").contains("stories-Q8_0.gguf");
        assertThat(Cli.run("pull", "test-org/stories").err()).contains("has 2 GGUF files");
        assertThat(Cli.run("pull", "not a repo").err()).contains("org/name");
    }

    @Test
    void offlineModeServesTheCachedFile() {
        assertThat(Cli.run("pull", "test-org/stories:Q8_0").exit()).isZero();
        hub.close();
        HubEnvironment.current = Map.of("HF_HOME", home.toString(), "HF_ENDPOINT", hub.endpoint(), "HF_HUB_OFFLINE", "1");
        Cli.Result r = Cli.run("pull", "test-org/stories:Q8_0");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).endsWith("stories-Q8_0.gguf");
        assertThat(r.err()).contains("offline");
        Cli.Result missing = Cli.run("pull", "test-org/stories:F32");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("HF_HUB_OFFLINE");
    }
}
