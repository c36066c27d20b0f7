package dev.winnow.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.model.Model;
import dev.winnow.template.ChatTemplate;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The OpenAI-compatible HTTP server: Helidon SE's web server (a virtual thread per request) in
 * front of one {@link Scheduler} thread that runs the model. Endpoints: {@code POST
 * /v1/chat/completions}, {@code POST /v1/completions}, {@code GET /v1/models},
 * {@code GET /v1/models/{id}}, {@code GET /health}, {@code GET /metrics}.
 */
public final class WinnowServer implements AutoCloseable {
    private final ServerConfig config;
    private final Model model;
    private final String modelId;
    private final long created;
    private final Metrics metrics;
    private final Scheduler scheduler;
    private final GenerationEndpoint generation;
    private final WebServer web;

    /** Starts serving {@code model} (the caller keeps ownership of it and closes it after this server). */
    public static WinnowServer start(Model model, ChatTemplate template, ServerConfig config) {
        return new WinnowServer(model, template, config);
    }

    private WinnowServer(Model model, ChatTemplate template, ServerConfig config) {
        this.config = config;
        this.model = model;
        this.modelId = modelId(model);
        this.created = modified(model);
        this.metrics = new Metrics(config.kvMemoryBytes());
        this.scheduler = new Scheduler(model, config, metrics);
        this.generation = new GenerationEndpoint(new RequestParser(model, template, config), scheduler,
                new Logprobs(model.tokenizer(), model.config().vocabSize()), modelId, model.config(), config.maxBodyBytes());
        scheduler.start();
        this.web = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .maxPayloadSize(Bodies.hardCap(config.maxBodyBytes()))
                .shutdownHook(false)
                .shutdownGracePeriod(Duration.ofSeconds(2))
                .directHandlers(d -> {
                    for (DirectHandler.EventType t : DirectHandler.EventType.values()) d.addHandler(t, this::direct);
                })
                .routing(this::routes)
                .build();
        try {
            web.start();
        } catch (RuntimeException e) {
            scheduler.close();
            throw e;
        }
    }

    /** The model's id in the API: the file name without {@code .gguf}. */
    static String modelId(Model model) {
        String name = model.path().getFileName().toString();
        return name.endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
    }

    private static long modified(Model model) {
        try {
            return java.nio.file.Files.getLastModifiedTime(model.path()).toMillis() / 1000;
        } catch (java.io.IOException e) {
            return System.currentTimeMillis() / 1000;
        }
    }

    public int port() {
        return web.port();
    }

    public String url() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + host + ":" + port();
    }

    public String modelId() {
        return modelId;
    }

    private void routes(HttpRouting.Builder r) {
        r.post("/v1/chat/completions", (req, res) -> guarded("chat", req, res, () -> generation.handle(req, res, true)));
        r.post("/v1/completions", (req, res) -> guarded("completions", req, res, () -> generation.handle(req, res, false)));
        r.get("/v1/models", (req, res) -> guarded("models", req, res, () -> json(res, models())));
        r.get("/v1/models/{id}", (req, res) -> guarded("model", req, res, () -> model(req, res)));
        r.get("/health", (req, res) -> health(res));
        r.get("/metrics", (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            res.send(metrics.prometheus().getBytes(StandardCharsets.UTF_8));
        });
        r.any((req, res) -> guarded("other", req, res, () -> {
            throw new ApiException(404, "invalid_request_error", null, "unknown_url",
                    "unknown endpoint: " + req.prologue().method().text() + " " + req.path().path(), 0);
        }));
    }

    @FunctionalInterface
    private interface Action {
        int run() throws Exception;
    }

    /** Checks the API key, runs the action, and turns its failure into an OpenAI error object. */
    private void guarded(String endpoint, ServerRequest req, ServerResponse res, Action action) {
        int status;
        try {
            authorize(req);
            status = action.run();
        } catch (ApiException e) {
            status = e.status();
            if (!res.isSent()) error(res, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 503;
        } catch (Exception e) {
            status = 500;
            System.getLogger("winnow.server").log(System.Logger.Level.ERROR, "request failed", e);
            if (!res.isSent()) error(res, new ApiException(500, "server_error", null, null, "internal error: " + e, 0));
        }
        metrics.request(endpoint, status);
    }

    private void authorize(ServerRequest req) {
        if (config.apiKey().isEmpty()) return;
        String expected = "Bearer " + config.apiKey().get();
        String got = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (!java.security.MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), got.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                    got.isEmpty() ? "missing API key: send the header 'Authorization: Bearer KEY'" : "incorrect API key", 0);
        }
    }

    private static void error(ServerResponse res, ApiException e) {
        res.status(Status.create(e.status()));
        if (e.retryAfterSeconds() > 0) res.header(HeaderNames.RETRY_AFTER, String.valueOf(e.retryAfterSeconds()));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(Json.error(e)));
    }

    private static int json(ServerResponse res, ObjectNode o) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(o));
        return 200;
    }

    private ObjectNode modelObject() {
        ObjectNode m = Json.object();
        m.put("id", modelId);
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "winnow");
        ObjectNode meta = m.putObject("winnow");
        meta.put("context_length", config.contextLength());
        meta.put("kv", config.kv().toString());
        meta.put("kv_override", config.allowKvOverride());
        meta.put("parallel", config.parallel());
        meta.put("kv_memory_bytes", config.kvMemoryBytes());
        return m;
    }

    private ObjectNode models() {
        ObjectNode o = Json.object();
        o.put("object", "list");
        o.putArray("data").add(modelObject());
        return o;
    }

    private int model(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        if (!id.equals(modelId)) {
            throw new ApiException(404, "invalid_request_error", "model", "model_not_found",
                    "the model '" + id + "' does not exist; this server serves '" + modelId + "'", 0);
        }
        return json(res, modelObject());
    }

    private void health(ServerResponse res) {
        boolean ok = scheduler.alive();
        ObjectNode o = Json.object();
        o.put("status", ok ? "ok" : "unavailable");
        res.status(ok ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(o));
    }

    /** Errors the web server answers before routing (too large, malformed HTTP): an OpenAI error object too. */
    private DirectHandler.TransportResponse direct(DirectHandler.TransportRequest req, DirectHandler.EventType type,
                                                   Status status, io.helidon.http.ServerResponseHeaders headers, String message) {
        String text = status.code() == 413
                ? "the request body is larger than the limit of " + config.maxBodyBytes() + " bytes"
                : message == null || message.isEmpty() ? status.reasonPhrase() : message;
        String errType = status.code() >= 500 ? "server_error" : "invalid_request_error";
        byte[] body = Json.bytes(Json.error(text, errType, null, status.code() == 413 ? "request_too_large" : null));
        return DirectHandler.TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .entity(body)
                .keepAlive(false)
                .build();
    }

    /** Stops accepting requests, answers running ones with an error, stops the scheduler. */
    @Override
    public void close() {
        scheduler.close();
        web.stop();
    }
}
