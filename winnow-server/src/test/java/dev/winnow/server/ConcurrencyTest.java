package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Session;
import dev.winnow.generate.TokenListener;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Several clients at once: batching equals running alone, admission under a small KV budget, disconnects. */
@Timeout(300)
class ConcurrencyTest {
    static final String[] PROMPTS = {"Once upon a time", "The little dog", "Lily and Tom went", "One day, a big",
        "The sun was", "There was a girl named", "A cat sat on", "Tim liked to"};

    @Test
    void eightGreedyRequestsTogetherEqualEachAlone() throws Exception {
        try (TestServer server = TestServer.start(c -> c.withParallel(8, 8))) {
            // The oracle: each prompt alone through Session.generate (no server, no batching).
            List<String> alone = new ArrayList<>();
            for (String p : PROMPTS) {
                Session s = new Session(server.model, 256, Session.DEFAULT_BATCH);
                Generation g = s.generate(p, GenerationParams.greedy(24), TokenListener.NONE);
                alone.add(g.text());
            }
            List<String> together = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<String>> fs = new ArrayList<>();
                for (String p : PROMPTS) {
                    fs.add(pool.submit(() -> TestServer.json(server.post("/v1/completions",
                            "{\"prompt\": \"" + p + "\", \"max_tokens\": 24, \"temperature\": 0}").body())
                            .at("/choices/0/text").asText()));
                }
                for (Future<String> f : fs) together.add(f.get());
            }
            assertThat(together).isEqualTo(alone);
            assertThat(alone.stream().distinct().count()).isGreaterThan(1);
        }
    }

    @Test
    void boundedLoadWithASmallKvBudget() throws Exception {
        long perEntry;
        try (dev.winnow.model.Model m = dev.winnow.model.Model.load(TestServer.stories())) {
            perEntry = new KvPool(1, m.config(), Session.DEFAULT_BATCH).bytesPerEntry();
        }
        // Room for about three sequences of this size (prompt + 32 tokens, f32): the rest queue or get 429.
        loadTest(3 * 64 * perEntry);
    }

    private void loadTest(long budget) throws Exception {
        try (TestServer server = TestServer.start(c -> c.withKvMemory(budget).withParallel(4, 4))) {
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong maxHeld = new AtomicLong();
            Thread watcher = Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    try {
                        maxHeld.accumulateAndGet((long) server.metric("winnow_kv_bytes_held"), Math::max);
                        Thread.sleep(5);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            List<int[]> outcomes = new ArrayList<>(); // {status, complete}
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<List<int[]>>> fs = new ArrayList<>();
                for (int c = 0; c < 32; c++) {
                    int client = c;
                    fs.add(pool.submit(() -> {
                        List<int[]> mine = new ArrayList<>();
                        for (int i = 0; i < 3; i++) mine.add(streamOnce(server, PROMPTS[(client + i) % PROMPTS.length]));
                        return mine;
                    }));
                }
                for (Future<List<int[]>> f : fs) outcomes.addAll(f.get());
            }
            running.set(false);
            watcher.join();
            assertThat(outcomes).hasSize(96);
            int ok = 0, busy = 0;
            for (int[] o : outcomes) {
                if (o[0] == 200) {
                    assertThat(o[1]).as("a 200 stream ends with [DONE]").isEqualTo(1);
                    ok++;
                } else {
                    assertThat(o[0]).as("status of a refused request").isEqualTo(429);
                    assertThat(o[1]).as("429 carries Retry-After").isEqualTo(2);
                    busy++;
                }
            }
            System.out.printf("load test: %d complete, %d refused (429), KV bytes held at most %d of %d%n", ok, busy, maxHeld.get(), budget);
            assertThat(ok).isPositive();
            assertThat(ok + busy).isEqualTo(96);
            assertThat(maxHeld.get()).isPositive().isLessThanOrEqualTo(budget);
            assertThat(server.metric("winnow_kv_bytes_held_peak")).isLessThanOrEqualTo(budget);
            assertThat(server.metric("winnow_kv_bytes_budget")).isEqualTo(budget);
            assertThat(server.get("/health").statusCode()).isEqualTo(200);
            assertThat(server.metric("winnow_active_sequences")).isZero();
            assertThat(server.metric("winnow_queue_length")).isZero();
            assertThat(server.metric("winnow_rejected_total")).isEqualTo(busy);
            // Still serving.
            assertThat(server.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 4}").statusCode()).isEqualTo(200);
        }
    }

    /** {status, 1 if the stream ended with [DONE] / 2 if a 429 had Retry-After}. */
    private static int[] streamOnce(TestServer server, String prompt) throws Exception {
        HttpResponse<InputStream> r = server.http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"messages\": [{\"role\": \"user\", \"content\": \"" + prompt + "\"}], \"max_tokens\": 32, \"stream\": true}"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            if (r.statusCode() != 200) {
                String body = in.lines().reduce("", String::concat);
                JsonNode e = TestServer.json(body).get("error");
                assertThat(e).as(body).isNotNull();
                return new int[] {r.statusCode(), r.headers().firstValue("Retry-After").isPresent() ? 2 : 0};
            }
            String last = null;
            for (String line; (line = in.readLine()) != null; ) if (!line.isEmpty()) last = line;
            return new int[] {200, "data: [DONE]".equals(last) ? 1 : 0};
        }
    }

    @Test
    void disconnectMidStreamFreesTheSequence() throws Exception {
        try (TestServer server = TestServer.start()) {
            HttpResponse<InputStream> r = server.http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/completions"))
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\": \"Once upon a time\", \"max_tokens\": 240, \"temperature\": 1, \"seed\": 7, \"stream\": true}"))
                    .build(), HttpResponse.BodyHandlers.ofInputStream());
            BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).startsWith("data: {");
            assertThat(server.metric("winnow_active_sequences")).isEqualTo(1);
            r.body().close(); // the client goes away mid-stream
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (server.metric("winnow_active_sequences") > 0 && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(server.metric("winnow_active_sequences")).isZero();
            assertThat(server.metric("winnow_cancelled_total")).isEqualTo(1);
            // Its cache is freed, not kept as an idle conversation.
            assertThat(server.metric("winnow_idle_conversations")).isZero();
            assertThat(server.metric("winnow_kv_bytes_held")).isZero();
        }
    }
}
