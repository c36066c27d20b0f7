package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import dev.winnow.template.ChatTemplate;
import dev.winnow.tools.ToolGrammar;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Structured output and tool calls through the official OpenAI Java SDK, on stories260K (which
 * never calls a tool by itself: tool_choice required or named makes the grammar force the call).
 * Every reply is checked with an independent JSON-schema validator (networknt).
 */
@Timeout(300)
class ToolCallingSdkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory VALIDATORS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final String PERSON = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":12},"
            + "\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":120},\"pets\":{\"type\":\"array\",\"items\":{\"enum\":[\"cat\",\"dog\"]},"
            + "\"maxItems\":3}},\"required\":[\"name\",\"age\",\"pets\"],\"additionalProperties\":false}";
    private static final String WEATHER = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":10},"
            + "\"unit\":{\"enum\":[\"celsius\",\"fahrenheit\"]}},\"required\":[\"city\",\"unit\"]}";
    private static final String FLIGHTS = "{\"type\":\"object\",\"properties\":{\"route\":{\"type\":\"object\",\"properties\":"
            + "{\"from\":{\"type\":\"string\",\"maxLength\":6},\"to\":{\"type\":\"string\",\"maxLength\":6}},\"required\":[\"from\",\"to\"]},"
            + "\"stops\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":2}},\"required\":[\"route\",\"stops\"]}";
    private static final Map<String, String> SCHEMAS = Map.of("get_weather", WEATHER, "search_flights", FLIGHTS);

    /**
     * A short ChatML template that reads tools and calls the way Hermes templates do (so the
     * Hermes format is detected from it) while keeping the prompt small for stories260K.
     */
    static final String TEMPLATE = """
            {%- if tools %}<|im_start|>system
            Tools:{% for t in tools %} {{ t.function.name }}{% endfor %}. Call them as <tool_call>{"name": ..., "arguments": ...}</tool_call><|im_end|>
            {% endif %}
            {%- for m in messages %}<|im_start|>{{ m.role }}
            {% if m.tool_calls %}{% for c in m.tool_calls %}<tool_call>{"name": "{{ c.function.name }}", "arguments": {{ c.function.arguments | tojson }}}</tool_call>{% endfor %}{% else %}{{ m.content }}{% endif %}<|im_end|>
            {% endfor %}
            {%- if add_generation_prompt %}<|im_start|>assistant
            {% endif %}""";

    static TestServer server;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = TestServer.start(4096, ChatTemplate.of(TEMPLATE), c -> c);
        client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("any-token")
                .timeout(Duration.ofSeconds(120)).maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, JsonValue> schema(String json) throws Exception {
        Map<String, Object> m = JSON.readValue(json, Map.class);
        Map<String, JsonValue> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, JsonValue.from(v)));
        return out;
    }

    private static void assertValid(String schema, String json) throws Exception {
        JsonNode doc = JSON.readTree(json);
        assertThat(VALIDATORS.getSchema(schema).validate(doc)).as(json).isEmpty();
    }

    private static ChatCompletionCreateParams.Builder chat(String user, long seed) {
        return ChatCompletionCreateParams.builder().model(server.server.modelId()).addUserMessage(user)
                .temperature(1.0).seed(seed).maxCompletionTokens(300);
    }

    private static ChatCompletionCreateParams.Builder withTools(ChatCompletionCreateParams.Builder b) throws Exception {
        return b.addFunctionTool(FunctionDefinition.builder().name("get_weather").description("Weather in a city")
                        .parameters(FunctionParameters.builder().putAllAdditionalProperties(schema(WEATHER)).build()).build())
                .addFunctionTool(FunctionDefinition.builder().name("search_flights").description("Find flights")
                        .parameters(FunctionParameters.builder().putAllAdditionalProperties(schema(FLIGHTS)).build()).build());
    }

    @Test
    void jsonSchemaOutputParsesAndValidates() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            ResponseFormatJsonSchema format = ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                    .name("person").strict(true)
                    .schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder().putAllAdditionalProperties(schema(PERSON)).build())
                    .build()).build();
            ChatCompletion c = client.chat().completions().create(chat("Who is Lily?", seed).responseFormat(format).build());
            assertThat(c.choices().getFirst().finishReason().asString()).isEqualTo("stop");
            assertValid(PERSON, c.choices().getFirst().message().content().orElseThrow());
        }
    }

    @Test
    void textCompletionWithJsonSchema() throws Exception {
        String body = "{\"prompt\": \"Once upon a time\", \"max_tokens\": 300, \"temperature\": 1, \"seed\": 4, "
                + "\"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"p\", \"schema\": " + PERSON + "}}}";
        var r = server.post("/v1/completions", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode choice = JSON.readTree(r.body()).get("choices").get(0);
        assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
        assertValid(PERSON, choice.get("text").asText());
    }

    @Test
    void jsonObjectOutputIsAnObject() throws Exception {
        // stories260K writes stories into the keys and never closes an object: each reply, cut at
        // max tokens, must still be the beginning of one JSON object
        for (long seed = 1; seed <= 2; seed++) {
            ChatCompletion c = client.chat().completions().create(chat("Tell me about a cat.", seed).maxCompletionTokens(60)
                    .responseFormat(ResponseFormatJsonObject.builder().build()).build());
            assertJsonObjectPrefix(c.choices().getFirst().message().content().orElseThrow());
        }
    }

    /** The text parses as JSON up to its end, the first token opening an object (Jackson's streaming parser). */
    private static void assertJsonObjectPrefix(String text) throws Exception {
        try (com.fasterxml.jackson.core.JsonParser p = JSON.getFactory().createParser(text)) {
            assertThat(p.nextToken()).as(text).isEqualTo(com.fasterxml.jackson.core.JsonToken.START_OBJECT);
            try {
                while (p.nextToken() != null) {
                    // every token so far is valid
                }
            } catch (com.fasterxml.jackson.core.io.JsonEOFException e) {
                // cut in the middle of a value: still a prefix
            }
        }
    }

    /** The SDK's typed structured output: the schema generated from a class, the reply parsed into it. */
    public static class Pet {
        public String name;
        public int legs;
    }

    @Test
    void typedStructuredOutput() {
        var params = ChatCompletionCreateParams.builder().model(server.server.modelId()).addUserMessage("Describe a pet.")
                .temperature(1.0).seed(3L).maxCompletionTokens(300).responseFormat(Pet.class).build();
        var c = client.chat().completions().create(params);
        Pet pet = c.choices().getFirst().message().content().orElseThrow();
        assertThat(pet.name).isNotNull();
    }

    @Test
    void autoLetsTheStoryModelAnswerInText() throws Exception {
        ChatCompletionCreateParams params = withTools(chat("Once upon a time", 2)).temperature(0.0).maxCompletionTokens(24).build();
        ChatCompletion whole = client.chat().completions().create(params);
        assertThat(whole.choices().getFirst().message().toolCalls().orElse(List.of())).isEmpty();
        String text = whole.choices().getFirst().message().content().orElseThrow();
        assertThat(text).isNotEmpty();
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(ch -> ch.choices().forEach(c -> c.delta().content().ifPresent(streamed::append)));
        }
        assertThat(streamed.toString()).isEqualTo(text);
    }

    @Test
    void requiredToolCallsNonStreamed() throws Exception {
        Set<String> ids = new HashSet<>();
        for (long seed = 1; seed <= 3; seed++) {
            ChatCompletion c = client.chat().completions().create(withTools(chat("What is the weather in Oslo?", seed))
                    .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).parallelToolCalls(false).build());
            ChatCompletion.Choice choice = c.choices().getFirst();
            assertThat(choice.finishReason().asString()).as(c.toString()).isEqualTo("tool_calls");
            List<ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
            assertThat(calls).hasSize(1);
            for (ChatCompletionMessageToolCall call : calls) {
                ChatCompletionMessageFunctionToolCall f = call.asFunction();
                assertThat(ids.add(f.id())).as("ids are unique").isTrue();
                assertThat(SCHEMAS).containsKey(f.function().name());
                assertValid(SCHEMAS.get(f.function().name()), f.function().arguments());
            }
        }
    }

    @Test
    void namedToolCallStreamedAccumulates() throws Exception {
        for (long seed = 1; seed <= 2; seed++) {
            ChatCompletionCreateParams params = withTools(chat("Fly me from Oslo to Rome.", seed))
                    .toolChoice(ChatCompletionNamedToolChoice.builder()
                            .function(ChatCompletionNamedToolChoice.Function.builder().name("search_flights").build()).build())
                    .parallelToolCalls(false).build();
            List<ChatCompletionChunk> chunks = new ArrayList<>();
            ChatCompletion c = streamed(params, chunks);
            ChatCompletion.Choice choice = c.choices().getFirst();
            assertThat(choice.finishReason().asString()).isEqualTo("tool_calls");
            List<ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
            assertThat(calls).hasSizeGreaterThanOrEqualTo(1);
            for (ChatCompletionMessageToolCall call : calls) {
                assertThat(call.asFunction().id()).isNotBlank();
                assertThat(call.asFunction().function().name()).isEqualTo("search_flights");
                assertValid(FLIGHTS, call.asFunction().function().arguments());
            }
            assertDeltaShapes(chunks, calls.size());
        }
    }

    @Test
    void parallelCallsStreamWithDistinctIndices() throws Exception {
        // stories260K keeps calling: the grammar's bound on parallel calls ends the reply
        ChatCompletionCreateParams params = withTools(chat("Weather in Oslo and Rome please.", 11))
                .toolChoice(ChatCompletionNamedToolChoice.builder()
                        .function(ChatCompletionNamedToolChoice.Function.builder().name("get_weather").build()).build())
                .maxCompletionTokens(3000).build();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        ChatCompletion streamed = streamed(params, chunks);
        assertThat(streamed.choices().getFirst().finishReason().asString()).as(streamed.toString()).isEqualTo("tool_calls");
        List<ChatCompletionMessageToolCall> calls = streamed.choices().getFirst().message().toolCalls().orElseThrow();
        assertThat(calls).hasSizeBetween(2, ToolGrammar.MAX_PARALLEL_CALLS);
        for (ChatCompletionMessageToolCall call : calls) assertValid(WEATHER, call.asFunction().function().arguments());
        assertThat(calls.stream().map(c -> c.asFunction().id()).distinct()).hasSameSizeAs(calls);
        ChatCompletion whole = client.chat().completions().create(params);
        List<ChatCompletionMessageToolCall> wholeCalls = whole.choices().getFirst().message().toolCalls().orElseThrow();
        // same seed: the streamed calls are the non-streamed ones (ids aside)
        assertThat(calls).extracting(c -> c.asFunction().function().name() + c.asFunction().function().arguments())
                .containsExactlyElementsOf(wholeCalls.stream().map(c -> c.asFunction().function().name() + c.asFunction().function().arguments()).toList());
        assertDeltaShapes(chunks, calls.size());
    }

    /** Streams the request into the SDK's accumulator (the chunks go to {@code chunks}); returns its completion. */
    private static ChatCompletion streamed(ChatCompletionCreateParams params, List<ChatCompletionChunk> chunks) {
        ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
            s.stream().forEach(ch -> {
                chunks.add(ch);
                acc.accumulate(ch);
            });
        }
        return acc.chatCompletion();
    }

    /** id, type and name only in the first delta of each call; one index per call, 0..n-1; never a null id. */
    private static void assertDeltaShapes(List<ChatCompletionChunk> chunks, int calls) throws Exception {
        Set<Long> seen = new HashSet<>();
        for (ChatCompletionChunk ch : chunks) {
            for (ChatCompletionChunk.Choice c : ch.choices()) {
                for (ChatCompletionChunk.Choice.Delta.ToolCall t : c.delta().toolCalls().orElse(List.of())) {
                    boolean first = seen.add(t.index());
                    assertThat(t.id().isPresent()).as("id only in the first delta of call %d", t.index()).isEqualTo(first);
                    assertThat(t.function().flatMap(ChatCompletionChunk.Choice.Delta.ToolCall.Function::name).isPresent()).isEqualTo(first);
                    if (first) assertThat(t.id().orElseThrow()).isNotBlank();
                }
            }
        }
        Set<Long> expected = new HashSet<>();
        for (long i = 0; i < calls; i++) expected.add(i);
        assertThat(seen).isEqualTo(expected);
    }

    @Test
    void historyWithToolCallsAndResults() throws Exception {
        ChatCompletionMessageToolCall call = ChatCompletionMessageToolCall.ofFunction(ChatCompletionMessageFunctionToolCall.builder()
                .id("call_abc123").function(ChatCompletionMessageFunctionToolCall.Function.builder().name("get_weather")
                        .arguments("{\"city\":\"Oslo\",\"unit\":\"celsius\"}").build()).build());
        ChatCompletionCreateParams params = withTools(ChatCompletionCreateParams.builder().model(server.server.modelId())
                .addUserMessage("What is the weather in Oslo?")
                .addMessage(ChatCompletionAssistantMessageParam.builder().addToolCall(call).build())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId("call_abc123").content("{\"temp\": 3}").build())
                .temperature(0.0).maxCompletionTokens(8)).build();
        ChatCompletion c = client.chat().completions().create(params);
        assertThat(c.choices().getFirst().finishReason().asString()).isIn("stop", "length");
        ChatCompletion without = client.chat().completions().create(withTools(chat("What is the weather in Oslo?", 1)
                .temperature(0.0).maxCompletionTokens(8)).build());
        // the call and its result are in the prompt
        assertThat(c.usage().orElseThrow().promptTokens()).isGreaterThan(without.usage().orElseThrow().promptTokens() + 20);
    }
}
