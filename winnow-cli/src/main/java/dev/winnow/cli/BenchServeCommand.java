package dev.winnow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code winnow bench-serve}: a load generator for an OpenAI-compatible server. For each
 * concurrency level, that many clients send streaming requests until {@code --requests} are
 * done; it reports aggregate generated tokens per second, time to first token (p50/p99) and
 * inter-token latency (mean, p50/p99) measured on the client.
 */
@Command(name = "bench-serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load-test an OpenAI-compatible server (winnow serve, llama-server, ...) with streaming requests:",
                "aggregate tokens/s, time to first token and inter-token latency per concurrency level."})
final class BenchServeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8080",
            description = "Server base URL, with or without /v1 (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--concurrency", paramLabel = "N,N,...", split = ",", defaultValue = "1,4,16",
            description = "Concurrent clients, one run per value (default: ${DEFAULT-VALUE}).")
    List<Integer> concurrency;

    @Option(names = "--requests", paramLabel = "N", defaultValue = "32", description = "Requests per run (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "64", description = "max_tokens of each request (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = "Once upon a time, there was a little girl who",
            description = "The user message (default: a short story opening).")
    String prompt;

    @Option(names = "--completions", description = "Use /v1/completions with the prompt instead of /v1/chat/completions.")
    boolean completions;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Bearer token to send.")
    String apiKey;

    @Option(names = "--model", paramLabel = "ID", defaultValue = "default", description = "The model field of the requests.")
    String model;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600", description = "Per-request timeout (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /** What one request measured. */
    record Sample(boolean ok, int status, int tokens, long ttftNanos, List<Long> gapsNanos) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (requests < 1) throw new CliException("--requests must be at least 1, got " + requests);
        if (maxTokens < 1) throw new CliException("--max-tokens must be at least 1, got " + maxTokens);
        for (int c : concurrency) if (c < 1) throw new CliException("--concurrency values must be at least 1, got " + c);
        String base = url.replaceAll("/+$", "");
        if (!base.endsWith("/v1")) base += "/v1";
        URI target = URI.create(base + (completions ? "/completions" : "/chat/completions"));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        out.printf(Locale.ROOT, "%s, %d requests per run, max_tokens %d%n", target, requests, maxTokens);
        out.printf(Locale.ROOT, "%11s %6s %6s %9s %10s %10s %10s %10s %10s%n", "concurrency", "ok", "failed", "tok/s",
                "ttft p50", "ttft p99", "itl mean", "itl p50", "itl p99");
        for (int c : concurrency) {
            long t0 = System.nanoTime();
            List<Sample> samples = run(client, target, c);
            double wall = (System.nanoTime() - t0) / 1e9;
            print(out, c, samples, wall);
            out.flush();
        }
        return 0;
    }

    private List<Sample> run(HttpClient client, URI target, int clients) throws Exception {
        AtomicInteger left = new AtomicInteger(requests);
        List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                fs.add(pool.submit(() -> {
                    while (left.getAndDecrement() > 0) samples.add(one(client, target));
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
        }
        return samples;
    }

    private Sample one(HttpClient client, URI target) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        if (completions) body.put("prompt", prompt);
        else body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        body.put("max_tokens", maxTokens);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        // With log probabilities every token is a chunk, also one whose text is held back or empty.
        if (completions) body.put("logprobs", 0);
        else body.put("logprobs", true);
        HttpRequest.Builder rb = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(timeoutSeconds))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (apiKey != null) rb.header("Authorization", "Bearer " + apiKey);
        long start = System.nanoTime();
        try {
            HttpResponse<InputStream> res = client.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (res.statusCode() != 200) {
                res.body().close();
                return new Sample(false, res.statusCode(), 0, 0, List.of());
            }
            long first = 0, last = 0;
            int tokens = 0, chunks = 0;
            boolean done = false;
            List<Long> gaps = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.startsWith("data: ")) continue;
                    String data = line.substring(6);
                    if (data.equals("[DONE]")) {
                        done = true;
                        break;
                    }
                    JsonNode chunk = JSON.readTree(data);
                    if (chunk.has("error")) break;
                    if (chunk.path("usage").has("completion_tokens")) tokens = chunk.path("usage").path("completion_tokens").asInt();
                    JsonNode choice = chunk.path("choices").path(0);
                    if (choice.path("logprobs").isNull() || choice.path("logprobs").isMissingNode()) continue;
                    long now = System.nanoTime();
                    if (first == 0) first = now;
                    else gaps.add(now - last);
                    last = now;
                    chunks++;
                }
            }
            if (tokens == 0) tokens = chunks;
            return new Sample(done, 200, tokens, first == 0 ? 0 : first - start, gaps);
        } catch (IOException e) {
            return new Sample(false, 0, 0, 0, List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Sample(false, 0, 0, 0, List.of());
        }
    }

    private static void print(PrintWriter out, int c, List<Sample> samples, double wall) {
        List<Long> ttft = new ArrayList<>(), gaps = new ArrayList<>();
        long tokens = 0;
        int ok = 0;
        for (Sample s : samples) {
            if (!s.ok()) continue;
            ok++;
            tokens += s.tokens();
            if (s.ttftNanos() > 0) ttft.add(s.ttftNanos());
            gaps.addAll(s.gapsNanos());
        }
        Collections.sort(ttft);
        Collections.sort(gaps);
        double itlMean = gaps.stream().mapToLong(Long::longValue).average().orElse(0);
        out.printf(Locale.ROOT, "%11d %6d %6d %9.1f %8.0fms %8.0fms %8.1fms %8.1fms %8.1fms%n", c, ok, samples.size() - ok,
                tokens / wall, ms(pct(ttft, 50)), ms(pct(ttft, 99)), itlMean / 1e6, ms(pct(gaps, 50)), ms(pct(gaps, 99)));
    }

    static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) return 0;
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
