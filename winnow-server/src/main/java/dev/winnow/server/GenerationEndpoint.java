package dev.winnow.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.generate.StopReason;
import dev.winnow.model.ModelConfig;
import dev.winnow.tools.ToolCall;
import dev.winnow.tools.ToolCallParser;
import dev.winnow.tools.ToolCallStream;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/completions}: parses the request,
 * queues it with the {@link Scheduler} and writes what the scheduler reports, either as one JSON
 * object or as server-sent events. Runs on the request's (virtual) thread and blocks on the job.
 */
final class GenerationEndpoint {
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

    private final RequestParser parser;
    private final Scheduler scheduler;
    private final Logprobs logprobs;
    private final String modelId;
    private final ModelConfig config;
    private final long maxBody;

    GenerationEndpoint(RequestParser parser, Scheduler scheduler, Logprobs logprobs, String modelId, ModelConfig config,
                       long maxBody) {
        this.parser = parser;
        this.scheduler = scheduler;
        this.logprobs = logprobs;
        this.modelId = modelId;
        this.config = config;
        this.maxBody = maxBody;
    }

    /** Answers one request; returns the HTTP status it sent. */
    int handle(ServerRequest req, ServerResponse res, boolean chat) throws InterruptedException {
        JsonNode body = Json.parse(Bodies.read(req, maxBody));
        GenerationRequest request = chat ? parser.chat(body) : parser.completion(body);
        Job job = new Job(request, logprobs);
        scheduler.submit(job);
        try {
            Job.Event first = next(job);
            if (first instanceof Job.Failed f) throw f.error();
            Responses responses = new Responses(chat, modelId, config);
            if (request.stream()) stream(job, first, responses, res);
            else whole(job, first, responses, res);
            return 200;
        } finally {
            job.cancel(); // no-op when finished; stops the sequence when the handler leaves early
        }
    }

    private Job.Event next(Job job) throws InterruptedException {
        while (true) {
            Job.Event e = job.next(1000);
            if (e != null) return e;
            if (!scheduler.alive()) {
                return new Job.Failed(new ApiException(503, "server_error", null, "shutting_down", "the server is shutting down", 0));
            }
        }
    }

    private void whole(Job job, Job.Event first, Responses responses, ServerResponse res) throws InterruptedException {
        List<Logprobs.Entry> lps = job.request.wantsLogprobs() ? new ArrayList<>() : null;
        for (Job.Event e = first; ; e = next(job)) {
            switch (e) {
                case Job.Token t -> {
                    if (lps != null && t.logprobs() != null) lps.add(t.logprobs());
                }
                case Job.Failed f -> throw f.error();
                case Job.Finished f -> {
                    ToolCallParser calls = job.request.toolCalls();
                    ObjectNode o = responses.complete(f, lps, job.request.prompt().length,
                            calls == null ? null : calls.parse(f.generation().text()));
                    res.header(HeaderNames.CONTENT_TYPE, "application/json");
                    res.send(Json.bytes(o));
                    return;
                }
            }
        }
    }

    private void stream(Job job, Job.Event first, Responses responses, ServerResponse res) throws InterruptedException {
        GenerationRequest request = job.request;
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header("X-Accel-Buffering", "no");
        int promptTokens = request.prompt().length;
        try (OutputStream out = res.outputStream()) {
            if (request.chat()) send(out, responses.roleChunk());
            int offset = 0;
            ToolCallStream calls = request.toolCalls() == null ? null
                    : new ToolCallStream(request.toolCalls(), request.params().grammar() != null && !request.params().grammar().isTriggered());
            for (Job.Event e = first; ; e = next(job)) {
                switch (e) {
                    case Job.Token t -> {
                        String text = calls == null ? t.text() : calls.accept(t.text());
                        if (text.isEmpty() && t.logprobs() == null) continue;
                        send(out, responses.textChunk(text, t.logprobs() == null ? null : List.of(t.logprobs()), offset));
                        offset += text.length();
                    }
                    case Job.Failed f -> {
                        send(out, Json.error(f.error()));
                        return;
                    }
                    case Job.Finished f -> {
                        if (f.generation().stopReason() == StopReason.CANCELLED) return;
                        boolean called = calls != null && sendToolCalls(out, calls.finish(), responses, offset);
                        send(out, responses.finishChunk(f, promptTokens, called));
                        if (request.includeUsage()) send(out, responses.usageChunk(f, promptTokens));
                        out.write(DONE);
                        out.flush();
                        return;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            job.cancel(); // the client went away
        }
    }

    /**
     * Sends the held-back end of a reply: each call as a first chunk (index, id, type, name) and
     * an arguments chunk, or, without calls, the held text as content. Returns whether there were calls.
     */
    private static boolean sendToolCalls(OutputStream out, ToolCallStream.Result r, Responses responses, int offset)
            throws IOException {
        if (!r.reply().hasCalls()) {
            if (!r.unsentContent().isEmpty()) send(out, responses.textChunk(r.unsentContent(), null, offset));
            return false;
        }
        for (int i = 0; i < r.reply().calls().size(); i++) {
            ToolCall call = r.reply().calls().get(i);
            send(out, responses.toolCallChunk(i, call));
            send(out, responses.toolArgumentsChunk(i, call.arguments()));
        }
        return true;
    }

    private static void send(OutputStream out, ObjectNode o) throws IOException {
        byte[] json = Json.bytes(o);
        byte[] frame = new byte[json.length + 8];
        System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, frame, 0, 6);
        System.arraycopy(json, 0, frame, 6, json.length);
        frame[frame.length - 2] = '\n';
        frame[frame.length - 1] = '\n';
        out.write(frame);
        out.flush();
    }
}
