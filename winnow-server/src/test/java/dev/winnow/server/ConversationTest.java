package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Conversation (prefix) reuse and per-request KV compression. */
@Timeout(120)
class ConversationTest {
    private static ObjectNode chat(ArrayNode messages, int max) {
        ObjectNode o = TestServer.JSON.createObjectNode();
        o.set("messages", messages.deepCopy());
        o.put("max_tokens", max);
        o.put("temperature", 0);
        return o;
    }

    private static void add(ArrayNode messages, String role, String content) {
        messages.addObject().put("role", role).put("content", content);
    }

    /** Turn 1, then turn 2 extending it; returns turn 2's response. */
    private static JsonNode twoTurns(TestServer server) throws Exception {
        ArrayNode messages = TestServer.JSON.createArrayNode();
        add(messages, "system", "You are a storyteller.");
        add(messages, "user", "Tell me about a dog named Max.");
        JsonNode first = TestServer.json(server.post("/v1/chat/completions", chat(messages, 24).toString()).body());
        assertThat(first.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
        add(messages, "assistant", first.at("/choices/0/message/content").asText());
        add(messages, "user", "What happened next?");
        JsonNode second = TestServer.json(server.post("/v1/chat/completions", chat(messages, 24).toString()).body());
        int firstTokens = first.at("/usage/prompt_tokens").asInt();
        assertThat(second.at("/usage/prompt_tokens").asInt()).isGreaterThan(firstTokens);
        return second;
    }

    @Test
    void secondTurnContinuesFromTheCachedConversationWithTheSameResult() throws Exception {
        JsonNode reused, fresh;
        try (TestServer server = TestServer.start()) {
            reused = twoTurns(server);
        }
        try (TestServer noReuse = TestServer.start(c -> new ServerConfig(c.host(), c.port(), c.kv(), true, c.kvMemoryBytes(),
                c.parallel(), c.queueLength(), c.apiKey(), c.contextLength(), c.maxBodyBytes(), 0))) {
            fresh = twoTurns(noReuse);
        }
        // The history (system + first turn) came from the cache, not the prompt processing.
        assertThat(reused.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isGreaterThan(20);
        assertThat(fresh.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
        assertThat(reused.at("/choices/0/message/content").asText()).isEqualTo(fresh.at("/choices/0/message/content").asText());
        assertThat(reused.at("/usage/prompt_tokens").asInt()).isEqualTo(fresh.at("/usage/prompt_tokens").asInt());
    }

    @Test
    void requestChoosesItsKvSpecAndTheResponseReportsTheCache() throws Exception {
        try (TestServer server = TestServer.start()) {
            String prompt = "Once upon a time there was a little dog named Max. ".repeat(4);
            JsonNode full = TestServer.json(server.post("/v1/completions",
                    "{\"prompt\": \"" + prompt + "\", \"max_tokens\": 16, \"temperature\": 0}").body());
            JsonNode snap = TestServer.json(server.post("/v1/completions",
                    "{\"prompt\": \"" + prompt + "\", \"max_tokens\": 16, \"temperature\": 0, \"kv\": \"snapkv:budget=16,window=4\"}").body());
            assertThat(full.at("/winnow/kv").asText()).isEqualTo("full");
            assertThat(snap.at("/winnow/kv").asText()).as(snap.toString()).startsWith("snapkv");
            JsonNode cfg = TestServer.json(server.get("/v1/models/stories260K").body()).get("winnow");
            int layersTimesHeads = (int) (full.at("/winnow/kv_entries").asLong()
                    / (full.at("/usage/prompt_tokens").asInt() + 15));
            assertThat(layersTimesHeads).isPositive();
            // SnapKV's default schedule: the prompt compressed once to 16 per head, the 15 generated tokens all kept
            assertThat(snap.at("/winnow/kv_entries").asLong()).isLessThanOrEqualTo((16L + 15L) * layersTimesHeads);
            assertThat(snap.at("/winnow/compression_ratio").asDouble()).isGreaterThan(2.0);
            assertThat(snap.at("/winnow/kv_bytes").asLong()).isLessThan(full.at("/winnow/kv_bytes").asLong() / 2);
            assertThat(cfg.get("kv").asText()).isEqualTo("full");
        }
    }

    @Test
    void promptLongerThanTheContextIsProcessedWithAPolicyThatBoundsTheCache() throws Exception {
        try (TestServer server = TestServer.start(c -> c.withKvMemory(64L << 20))) {
            String longText = "Once upon a time there was a little dog. ".repeat(60); // > 256 tokens
            JsonNode refused = TestServer.json(server.post("/v1/completions", "{\"prompt\": \"" + longText + "\", \"max_tokens\": 4}").body());
            assertThat(refused.at("/error/code").asText()).isEqualTo("context_length_exceeded");
            JsonNode ok = TestServer.json(server.post("/v1/completions",
                    "{\"prompt\": \"" + longText + "\", \"max_tokens\": 4, \"kv\": \"streaming:window=60\"}").body());
            assertThat(ok.at("/usage/prompt_tokens").asInt()).as(ok.toString()).isGreaterThan(256);
            assertThat(ok.at("/usage/completion_tokens").asInt()).isEqualTo(4);
        }
    }
}
