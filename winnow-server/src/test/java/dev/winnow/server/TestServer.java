package dev.winnow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.model.Model;
import dev.winnow.template.ChatTemplate;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assumptions;

/**
 * A server on a free loopback port over stories260K (found through the {@code winnow.shared}
 * system property, like the other tests), and a plain JDK HTTP client for raw protocol checks.
 */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    final Model model;
    final WinnowServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private TestServer(Model model, WinnowServer server) {
        this.model = model;
        this.server = server;
    }

    static TestServer start() {
        return start(c -> c);
    }

    /** A server with the defaults (context 256) changed by {@code configure}; port 0 = a free one. */
    static TestServer start(UnaryOperator<ServerConfig> configure) {
        return start(256, configure);
    }

    /** A server with this context length and the other defaults changed by {@code configure}. */
    static TestServer start(int contextLength, UnaryOperator<ServerConfig> configure) {
        return start(contextLength, ChatTemplate.chatml(), configure);
    }

    /** A server with this context length and chat template. */
    static TestServer start(int contextLength, ChatTemplate template, UnaryOperator<ServerConfig> configure) {
        Model m = Model.load(stories());
        try {
            ServerConfig config = configure.apply(ServerConfig.defaults(contextLength).withPort(0));
            return new TestServer(m, WinnowServer.start(m, template, config));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    static Path stories() {
        List<Path> roots = new ArrayList<>();
        String prop = System.getProperty("winnow.shared");
        if (prop != null && !prop.isBlank()) roots.add(Path.of(prop));
        roots.add(Path.of("..", "shared"));
        roots.add(Path.of("..", "..", "shared"));
        for (Path root : roots) {
            Path p = root.resolve("models/stories260K.gguf");
            if (Files.exists(p)) return p.toAbsolutePath().normalize();
        }
        return Assumptions.abort("shared data file not found: models/stories260K.gguf under " + roots
                + " (set -Dwinnow.shared=<dir>)");
    }

    String url() {
        return server.url();
    }

    String baseUrl() {
        return server.url() + "/v1";
    }

    HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(String s) throws IOException {
        return JSON.readTree(s);
    }

    /** The value of a gauge or counter without labels in the /metrics text. */
    double metric(String name) throws IOException, InterruptedException {
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(name + " ")) return Double.parseDouble(line.substring(name.length() + 1).trim());
        }
        throw new AssertionError("metric " + name + " not found");
    }

    /** The data payloads of an SSE body, in order. */
    static List<String> events(String body) {
        List<String> out = new ArrayList<>();
        for (String frame : body.split("\n\n")) {
            String f = frame.strip();
            if (f.isEmpty()) continue;
            if (!f.startsWith("data: ")) throw new AssertionError("not an SSE data frame: " + f);
            out.add(f.substring(6));
        }
        return out;
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            model.close();
        }
    }
}
