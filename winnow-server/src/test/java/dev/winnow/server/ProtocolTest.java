package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The protocol details that broke real clients elsewhere, checked on the raw bytes. */
@Timeout(120)
class ProtocolTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static final String CHAT = "{\"model\": \"x\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello there\"}], "
            + "\"max_tokens\": 12, \"temperature\": 0";

    static void assertHead(JsonNode o, String object, String id) {
        assertThat(o.get("id").asText()).isEqualTo(id);
        assertThat(o.get("object").asText()).isEqualTo(object);
        assertThat(o.get("created").isIntegralNumber()).as("created is an integer: " + o).isTrue();
        assertThat(o.get("created").asLong()).isBetween(System.currentTimeMillis() / 1000 - 60, System.currentTimeMillis() / 1000 + 1);
        assertThat(o.get("model").asText()).isEqualTo("stories260K");
    }

    @Test
    void streamedChatChunks() throws Exception {
        HttpResponse<String> r = server.post("/v1/chat/completions", CHAT + ", \"stream\": true}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).get().asString().startsWith("text/event-stream");
        List<String> events = TestServer.events(r.body());
        assertThat(events.getLast()).isEqualTo("[DONE]");
        JsonNode first = TestServer.json(events.getFirst());
        String id = first.get("id").asText();
        // The first delta has the role and an empty content.
        assertThat(first.at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(first.at("/choices/0/delta/content").isTextual()).isTrue();
        assertThat(first.at("/choices/0/delta/content").asText()).isEmpty();
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode c = TestServer.json(e);
            assertHead(c, "chat.completion.chunk", id);
            assertThat(c.has("usage")).as("no usage unless asked").isFalse();
            assertThat(c.get("choices")).hasSize(1);
            assertThat(c.at("/choices/0/index").asInt()).isZero();
        }
        JsonNode last = TestServer.json(events.get(events.size() - 2));
        assertThat(last.at("/choices/0/finish_reason").asText()).isIn("stop", "length");
        assertThat(last.at("/winnow/kv").asText()).isEqualTo("full");
        for (String e : events.subList(0, events.size() - 2)) {
            assertThat(TestServer.json(e).at("/choices/0/finish_reason").isNull()).isTrue();
        }
    }

    @Test
    void usageChunkComesLastWithEmptyChoicesBeforeDone() throws Exception {
        HttpResponse<String> r = server.post("/v1/chat/completions",
                CHAT + ", \"stream\": true, \"stream_options\": {\"include_usage\": true}}");
        List<String> events = TestServer.events(r.body());
        assertThat(events.getLast()).isEqualTo("[DONE]");
        JsonNode usage = TestServer.json(events.get(events.size() - 2));
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.at("/usage/completion_tokens").asInt()).isBetween(1, 12);
        assertThat(usage.at("/usage/prompt_tokens_details/cached_tokens").isIntegralNumber()).isTrue();
        long withUsage = events.subList(0, events.size() - 1).stream().filter(e -> e.contains("\"usage\"")).count();
        assertThat(withUsage).isEqualTo(1);
    }

    @Test
    void wholeResponses() throws Exception {
        JsonNode chat = TestServer.json(server.post("/v1/chat/completions", CHAT + "}").body());
        assertHead(chat, "chat.completion", chat.get("id").asText());
        assertThat(chat.at("/choices/0/index").asInt()).isZero();
        assertThat(chat.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(chat.at("/choices/0/finish_reason").asText()).isIn("stop", "length");
        JsonNode w = chat.get("winnow");
        assertThat(w.get("kv_entries").asLong()).isPositive();
        assertThat(w.get("kv_bytes").asLong()).isPositive();
        assertThat(w.get("compression_ratio").asDouble()).isBetween(0.9, 1.1); // full: no compression
        assertThat(w.get("entries_read_per_step").asDouble()).isPositive();

        JsonNode text = TestServer.json(server.post("/v1/completions", "{\"prompt\": \"Once upon a time\", \"max_tokens\": 5}").body());
        assertHead(text, "text_completion", text.get("id").asText());
        assertThat(text.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(text.at("/usage/completion_tokens").asInt()).isEqualTo(5);
    }

    @Test
    void streamedCompletionChunks() throws Exception {
        List<String> events = TestServer.events(server.post("/v1/completions",
                "{\"prompt\": \"Once upon a time\", \"max_tokens\": 6, \"stream\": true}").body());
        assertThat(events.getLast()).isEqualTo("[DONE]");
        String id = TestServer.json(events.getFirst()).get("id").asText();
        StringBuilder text = new StringBuilder();
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode c = TestServer.json(e);
            assertHead(c, "text_completion", id);
            text.append(c.at("/choices/0/text").asText());
        }
        String whole = TestServer.json(server.post("/v1/completions",
                "{\"prompt\": \"Once upon a time\", \"max_tokens\": 6, \"temperature\": 0}").body()).at("/choices/0/text").asText();
        String streamedGreedy = String.join("", TestServer.events(server.post("/v1/completions",
                "{\"prompt\": \"Once upon a time\", \"max_tokens\": 6, \"temperature\": 0, \"stream\": true}").body())
                .stream().filter(e -> !e.equals("[DONE]")).map(e -> {
                    try {
                        return TestServer.json(e).at("/choices/0/text").asText();
                    } catch (Exception ex) {
                        throw new AssertionError(ex);
                    }
                }).toList());
        assertThat(streamedGreedy).isEqualTo(whole);
        assertThat(text).isNotEmpty();
    }

    @Test
    void logprobsAreNormalizedAndTheGreedyTokenIsTheTopOne() throws Exception {
        JsonNode r = TestServer.json(server.post("/v1/chat/completions",
                CHAT + ", \"logprobs\": true, \"top_logprobs\": 3}").body());
        JsonNode content = r.at("/choices/0/logprobs/content");
        assertThat(content.size()).isEqualTo(r.at("/usage/completion_tokens").asInt());
        for (JsonNode t : content) {
            JsonNode top = t.get("top_logprobs");
            assertThat(top).hasSize(3);
            assertThat(t.get("logprob").asDouble()).isLessThanOrEqualTo(0).isEqualTo(top.get(0).get("logprob").asDouble());
            assertThat(top.get(0).get("logprob").asDouble()).isGreaterThanOrEqualTo(top.get(1).get("logprob").asDouble());
            double mass = 0;
            for (JsonNode a : top) mass += Math.exp(a.get("logprob").asDouble());
            assertThat(mass).isLessThanOrEqualTo(1.0001);
        }
    }

    @Test
    void apiKeyIsRequiredOnlyWhenSet() throws Exception {
        // Any bearer token (or none) without --api-key.
        assertThat(server.http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/models"))
                .header("Authorization", "Bearer whatever").build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        try (TestServer locked = TestServer.start(c -> c.withApiKey("s3cret"))) {
            HttpResponse<String> none = locked.get("/v1/models");
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(TestServer.json(none.body()).at("/error/code").asText()).isEqualTo("invalid_api_key");
            HttpResponse<String> wrong = locked.http.send(HttpRequest.newBuilder(URI.create(locked.url() + "/v1/chat/completions"))
                    .header("Authorization", "Bearer nope").POST(HttpRequest.BodyPublishers.ofString(CHAT + "}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
            HttpResponse<String> right = locked.http.send(HttpRequest.newBuilder(URI.create(locked.url() + "/v1/chat/completions"))
                    .header("Authorization", "Bearer s3cret").POST(HttpRequest.BodyPublishers.ofString(CHAT + "}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(right.statusCode()).isEqualTo(200);
            assertThat(locked.get("/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void jdkClientUpgradeH2cHeaderIsIgnored() throws Exception {
        // The JDK client's default (HTTP/2) sends "Upgrade: h2c" on cleartext requests; the server answers in HTTP/1.1.
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> get = h2.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        HttpResponse<String> post = h2.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(CHAT + "}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(TestServer.json(post.body()).at("/choices/0/message/content").isTextual()).isTrue();
        // The same headers written by hand on a POST with a body.
        byte[] body = (CHAT + "}").getBytes(StandardCharsets.UTF_8);
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.server.port())) {
            s.setSoTimeout(60_000);
            String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    + "Upgrade: h2c\r\nHTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n";
            s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(body);
            s.getOutputStream().flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
        }
    }

    @Test
    void errorAfterStreamingStartedIsAnSseErrorFrame() throws Exception {
        try (TestServer doomed = TestServer.start(c -> c.withPort(0))) {
            HttpResponse<InputStream> r = doomed.http.send(HttpRequest.newBuilder(URI.create(doomed.url() + "/v1/completions"))
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\": \"Once upon a time\", \"max_tokens\": 200, \"stream\": true, \"temperature\": 1, \"seed\": 1, \"ignore_eos\": true}")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).startsWith("data: {");
            // The server shuts down while the stream runs: the client gets an error frame, not a cut-off stream.
            CompletableFuture<Void> closing = CompletableFuture.runAsync(doomed.server::close);
            String errorFrame = null;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("data: {\"error\"")) errorFrame = line;
                assertThat(line).isNotEqualTo("data: [DONE]");
            }
            closing.get();
            assertThat(errorFrame).isNotNull();
            JsonNode e = TestServer.json(errorFrame.substring(6)).get("error");
            assertThat(e.get("message").asText()).contains("shutting down");
            assertThat(e.get("code").asText()).isEqualTo("shutting_down");
        }
    }

    @Test
    void metricsAreInPrometheusTextFormat() throws Exception {
        server.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 3}");
        HttpResponse<String> r = server.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).get().asString().startsWith("text/plain; version=0.0.4");
        Pattern sample = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\")*})? -?[0-9.eE+-]+|.* \\+Inf");
        for (String line : r.body().split("\n")) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
            assertThat(line).matches(sample);
        }
        assertThat(r.body()).contains("winnow_requests_total{endpoint=\"completions\",status=\"200\"}",
                "# TYPE winnow_time_to_first_token_seconds histogram", "winnow_inter_token_latency_seconds_bucket{le=\"+Inf\"}",
                "winnow_kv_bytes_budget", "winnow_kv_bytes_held", "winnow_queue_length", "winnow_active_sequences");
        assertThat(server.metric("winnow_completion_tokens_total")).isGreaterThanOrEqualTo(3);
    }
}
