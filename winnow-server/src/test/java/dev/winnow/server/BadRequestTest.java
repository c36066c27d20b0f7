package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad requests get a 4xx with an OpenAI-style error object naming the problem, never a 500. */
@Timeout(120)
class BadRequestTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(c -> c.withKvMemory(64L << 20));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static JsonNode error(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).get().asString().startsWith("application/json");
        JsonNode e = TestServer.json(r.body()).get("error");
        assertThat(e).as(r.body()).isNotNull();
        assertThat(e.get("message").asText()).isNotBlank();
        assertThat(e.get("type").asText()).isNotBlank();
        assertThat(e.has("param")).isTrue();
        assertThat(e.has("code")).isTrue();
        return e;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "malformed JSON | /v1/chat/completions | {\"messages\": [ | | malformed JSON",
        "not an object | /v1/chat/completions | [1, 2] | | JSON object",
        "missing messages | /v1/chat/completions | {\"model\": \"x\"} | messages | messages is required",
        "empty messages | /v1/chat/completions | {\"messages\": []} | messages | empty",
        "bad role | /v1/chat/completions | {\"messages\": [{\"role\": \"wizard\", \"content\": \"hi\"}]} | messages[0].role | wizard",
        "negative max_tokens | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": -5} | max_tokens | -5",
        "temperature | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"temperature\": \"hot\"} | temperature | number",
        "unknown kv | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"kv\": \"nosuchpolicy\"} | kv | nosuchpolicy",
        "n = 2 | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"n\": 2} | n | n = 2",
        "unknown named tool | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}], \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"g\"}}} | tool_choice | 'g'",
        "required without tools | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"tool_choice\": \"required\"} | tool_choice | at least one tool",
        "tool type | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"tools\": [{\"type\": \"web_search\"}]} | tools[0].type | web_search",
        "tool schema keyword | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\": {\"type\": \"object\", \"not\": {}}}}]} | tools[0].function | 'not'",
        "tools and response_format | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}], \"response_format\": {\"type\": \"json_object\"}} | response_format | cannot be combined",
        "tool message without id | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"tool\", \"content\": \"42\"}]} | messages[1].tool_call_id | tool_call_id",
        "json_schema keyword | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"x\", \"schema\": {\"type\": \"array\", \"uniqueItems\": true}}}} | response_format.json_schema.schema | uniqueItems",
        "response_format type | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"response_format\": {\"type\": \"yaml\"}} | response_format.type | yaml",
        "stop type | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stop\": 5} | stop | stop",
        "presence_penalty range | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"presence_penalty\": 3} | presence_penalty | presence_penalty",
        "frequency_penalty type | /v1/chat/completions | {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"frequency_penalty\": \"x\"} | frequency_penalty | number",
        "logit_bias key | /v1/completions | {\"prompt\": \"a\", \"logit_bias\": {\"dog\": 1}} | logit_bias | dog",
        "logit_bias id | /v1/completions | {\"prompt\": \"a\", \"logit_bias\": {\"512\": 1}} | logit_bias | outside the vocabulary",
        "logit_bias value | /v1/completions | {\"prompt\": \"a\", \"logit_bias\": {\"5\": 101}} | logit_bias | [-100, 100]",
        "missing prompt | /v1/completions | {\"max_tokens\": 3} | prompt | prompt is required",
        "token out of range | /v1/completions | {\"prompt\": [1, 99999999]} | prompt | token id",
        "logprobs range | /v1/completions | {\"prompt\": \"a\", \"logprobs\": 9} | logprobs | logprobs",
    })
    void invalidRequestsAre400(String name, String path, String body, String param, String fragment) throws Exception {
        JsonNode e = error(server.post(path, body), 400);
        assertThat(e.get("message").asText()).contains(fragment);
        if (param != null) assertThat(e.get("param").asText()).isEqualTo(param);
    }

    @Test
    void promptLongerThanTheContextIsRefusedWithItsLengthAndTheLimit() throws Exception {
        String longText = "Once upon a time there was a little dog. ".repeat(60);
        JsonNode e = error(server.post("/v1/completions", "{\"prompt\": \"" + longText + "\"}"), 400);
        assertThat(e.get("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(e.get("message").asText()).matches("(?s).*the prompt is \\d+ tokens, more than the context length of 256 tokens.*");
    }

    @Test
    void tenMegabyteBodyIs413() throws Exception {
        byte[] big = new byte[10 << 20];
        java.util.Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        HttpResponse<String> r = server.http.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(big)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode e = error(r, 413);
        assertThat(e.get("message").asText()).contains("larger than the limit");
        // The server is fine afterwards.
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void unknownEndpointAndModelAre404() throws Exception {
        assertThat(error(server.get("/v1/nothing"), 404).get("message").asText()).contains("/v1/nothing");
        assertThat(error(server.get("/v1/models/gpt-4"), 404).get("code").asText()).isEqualTo("model_not_found");
    }

    @Test
    void kvOverrideCanBeDisabled() throws Exception {
        try (TestServer locked = TestServer.start(c -> c.withKv(c.kv(), false))) {
            JsonNode e = error(locked.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 2, \"kv\": \"snapkv\"}"), 403);
            assertThat(e.get("param").asText()).isEqualTo("kv");
            assertThat(locked.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 2}").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void requestLargerThanTheWholeKvMemoryIs400() throws Exception {
        try (TestServer tiny = TestServer.start(c -> c.withKvMemory(4096))) {
            JsonNode e = error(tiny.post("/v1/completions", "{\"prompt\": \"Once upon a time\", \"max_tokens\": 100}"), 400);
            assertThat(e.get("code").asText()).isEqualTo("kv_memory_exceeded");
        }
    }
}
