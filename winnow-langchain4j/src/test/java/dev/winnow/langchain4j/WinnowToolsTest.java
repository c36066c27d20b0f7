package dev.winnow.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tools and structured output through the LangChain4j provider on stories260K: tool_choice
 * REQUIRED yields tool execution requests whose arguments match the specification, AI Services
 * with a typed return value get a parsed object, and a history with tool results renders.
 */
@Timeout(300)
class WinnowToolsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static WinnowChatModel model;

    enum Kind { CAT, DOG, BIRD }

    record Pet(Kind kind, int legs, boolean fluffy) {
    }

    interface PetWriter {
        Pet describe(String text);
    }

    static final ToolSpecification FORECAST = ToolSpecification.builder().name("forecast").description("Weather forecast")
            .parameters(JsonObjectSchema.builder().addEnumProperty("city", List.of("Oslo", "Rome", "Lima"))
                    .addIntegerProperty("days").required("city", "days").build())
            .build();

    @BeforeAll
    static void load() {
        model = WinnowChatModel.builder().modelPath(Stories.stories()).temperature(1.0).seed(5).maxOutputTokens(1200)
                .contextLength(2048).threads(1).parallelToolCalls(false).build();
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    @Test
    void requiredToolChoiceYieldsValidToolExecutionRequests() throws Exception {
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Weather in Oslo?"))
                .toolSpecifications(FORECAST).toolChoice(ToolChoice.REQUIRED).build();
        ChatResponse r = model.chat(request);
        assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
        List<ToolExecutionRequest> calls = r.aiMessage().toolExecutionRequests();
        assertThat(calls).hasSize(1);
        for (ToolExecutionRequest c : calls) {
            assertThat(c.name()).isEqualTo("forecast");
            assertThat(c.id()).isNotBlank();
            JsonNode args = JSON.readTree(c.arguments());
            assertThat(args.get("city").asText()).isIn("Oslo", "Rome", "Lima");
            assertThat(args.get("days").isIntegralNumber()).as(c.arguments()).isTrue();
        }
    }

    @Test
    void streamedToolCallReachesOnlyTheCompleteResponse() throws Exception {
        try (WinnowStreamingChatModel streaming = WinnowStreamingChatModel.builder().modelPath(Stories.stories()).temperature(1.0)
                .seed(6).maxOutputTokens(1200).contextLength(2048).threads(1).parallelToolCalls(false).build()) {
            StringBuilder partial = new StringBuilder();
            java.util.concurrent.CompletableFuture<ChatResponse> done = new java.util.concurrent.CompletableFuture<>();
            streaming.chat(ChatRequest.builder().messages(UserMessage.from("Weather in Rome?")).toolSpecifications(FORECAST)
                    .toolChoice(ToolChoice.REQUIRED).build(), new dev.langchain4j.model.chat.response.StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String text) {
                    partial.append(text);
                }

                @Override
                public void onCompleteResponse(ChatResponse r) {
                    done.complete(r);
                }

                @Override
                public void onError(Throwable e) {
                    done.completeExceptionally(e);
                }
            });
            ChatResponse r = done.get(120, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(partial.toString()).isEmpty();
            assertThat(r.aiMessage().toolExecutionRequests()).singleElement()
                    .satisfies(c -> assertThat(JSON.readTree(c.arguments()).get("city").asText()).isIn("Oslo", "Rome", "Lima"));
        }
    }

    @Test
    void aiServiceReturnsATypedValue() {
        // AI Services sends the record's schema (all properties optional) as the response format
        PetWriter writer = AiServices.create(PetWriter.class, model);
        for (int i = 0; i < 2; i++) assertThat(writer.describe("My cat")).isNotNull();
    }

    @Test
    void jsonSchemaResponseFormatWithRequiredProperties() throws Exception {
        JsonObjectSchema schema = JsonObjectSchema.builder().addEnumProperty("kind", List.of("CAT", "DOG"))
                .addIntegerProperty("legs").addBooleanProperty("fluffy").required("kind", "legs", "fluffy").build();
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("My cat"))
                .responseFormat(ResponseFormat.builder().type(ResponseFormatType.JSON)
                        .jsonSchema(JsonSchema.builder().name("pet").rootElement(schema).build()).build())
                .build();
        for (int i = 0; i < 3; i++) {
            ChatResponse r = model.chat(request);
            assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
            JsonNode pet = JSON.readTree(r.aiMessage().text());
            assertThat(pet.get("kind").asText()).isIn("CAT", "DOG");
            assertThat(pet.get("legs").isIntegralNumber()).isTrue();
            assertThat(pet.get("fluffy").isBoolean()).isTrue();
            assertThat(pet.size()).isEqualTo(3);
        }
    }

    @Test
    void historyWithToolResultsRenders() {
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("call_1").name("forecast")
                .arguments("{\"city\":\"Oslo\",\"days\":2}").build();
        ChatRequest request = ChatRequest.builder().messages(UserMessage.from("Weather in Oslo?"), AiMessage.from(call),
                        ToolExecutionResultMessage.from(call, "sunny"), UserMessage.from("Thanks"))
                .toolSpecifications(FORECAST).maxOutputTokens(8).temperature(0.0).build();
        ChatResponse r = model.chat(request);
        assertThat(r.tokenUsage().inputTokenCount()).isGreaterThan(100);
        assertThat(r.finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH, FinishReason.TOOL_EXECUTION);
    }
}
