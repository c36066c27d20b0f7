package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.model.Model;
import dev.winnow.server.ServerConfig;
import dev.winnow.server.WinnowServer;
import dev.winnow.template.ChatTemplate;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code winnow serve} and {@code winnow bench-serve}. */
@Timeout(120)
class ServeCommandTest {
    @Test
    void helpListsTheOptions() {
        Cli.Result r = Cli.run("serve", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--model", "--host", "127.0.0.1", "--port", "--kv=SPEC", "--kv-memory", "--parallel",
                "--api-key", "--ctx", "--threads", "--no-kv-override");
        assertThat(Cli.run("bench-serve", "--help").out()).contains("--url", "--concurrency", "--requests");
    }

    @Test
    void badOptionsAreOneLineErrors() {
        Cli.Result mem = Cli.run("serve", "-m", SharedData.stories(), "--kv-memory", "lots");
        assertThat(mem.exit()).isNotZero();
        assertThat(mem.errLines()).hasSize(1);
        assertThat(mem.err()).contains("--kv-memory", "'lots'", "2GiB");
        Cli.Result kv = Cli.run("serve", "-m", SharedData.stories(), "--kv", "nosuch");
        assertThat(kv.exit()).isNotZero();
        assertThat(kv.err()).contains("nosuch");
        Cli.Result missing = Cli.run("serve", "-m", "no/such/model.gguf", "--port", "0");
        assertThat(missing.exit()).isNotZero();
        assertThat(missing.err()).contains("no/such/model.gguf");
    }

    @Test
    void speculateIsADefaultOfTheServerAndBadOnesAreOneLineErrors() throws Exception {
        assertThat(Cli.run("serve", "--help").out()).contains("--speculate=SPEC");
        Cli.Result bad = Cli.run("serve", "-m", SharedData.stories(), "--speculate", "medusa");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.errLines()).hasSize(1);
        assertThat(bad.err()).contains("unknown drafter 'medusa'");
        Cli.Result refused = Cli.run("serve", "-m", SharedData.stories(), "--speculate", "lookup", "--kv", "h2o:budget=64");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.errLines()).hasSize(1);
        assertThat(refused.err()).contains("--speculate lookup:n=3,k=8", "--kv h2o", "evicts entries");
    }

    @Test
    void sizes() {
        assertThat(ServeCommand.bytes("--x", "2GiB")).isEqualTo(2L << 30);
        assertThat(ServeCommand.bytes("--x", "512MiB")).isEqualTo(512L << 20);
        assertThat(ServeCommand.bytes("--x", "1.5GB")).isEqualTo(1_500_000_000L);
        assertThat(ServeCommand.bytes("--x", "4096")).isEqualTo(4096);
    }

    @Test
    void servesLogsItsUrlAndStopsCleanlyOnSigterm() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.winnow.cli.Main", "serve", "-m",
                SharedData.stories().toString(), "--port", "0", "-t", "1", "--speculate", "recycling"));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            Pattern serving = Pattern.compile("winnow: serving stories260K at (http://127\\.0\\.0\\.1:\\d+)/v1 .*");
            String url = null;
            for (String line; url == null && (line = err.readLine()) != null; ) {
                Matcher m = serving.matcher(line);
                if (m.matches()) url = m.group(1);
            }
            assertThat(url).as("startup line with the URL").isNotNull();
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"Once upon a time\", \"max_tokens\": 4}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"speculation\":{\"drafter\":\"recycling:k=8,tree=default\"");
            // SIGTERM (Process.destroy would also close our end of its stderr)
            assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor()).isZero();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
            StringBuilder rest = new StringBuilder();
            for (String line; (line = err.readLine()) != null; ) rest.append(line).append('\n');
            assertThat(rest.toString()).contains("winnow: stopping").doesNotContain("Exception");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void benchServeReportsEachConcurrencyLevel() {
        try (Model m = Model.load(SharedData.stories());
             WinnowServer server = WinnowServer.start(m, ChatTemplate.chatml(), ServerConfig.defaults(256).withPort(0))) {
            Cli.Result r = Cli.run("bench-serve", "--url", server.url(), "--concurrency", "1,2", "--requests", "4", "--max-tokens", "8");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).containsPattern("(?m)^ +1 +4 +0 +[\\d.]+ .*ms")
                    .containsPattern("(?m)^ +2 +4 +0 +[\\d.]+ .*ms");
        }
    }
}
