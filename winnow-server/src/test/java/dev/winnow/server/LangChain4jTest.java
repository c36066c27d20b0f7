package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** LangChain4j's OpenAI module (its default JDK HTTP client) against a server on stories260K. */
@Timeout(120)
class LangChain4jTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void chatModelCompletesAChat() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused")
                .modelName("stories260K").maxTokens(16).temperature(0.0).timeout(Duration.ofSeconds(60)).maxRetries(0).build();
        ChatResponse r = model.chat(UserMessage.from("Tell me a story about a cat."));
        assertThat(r.aiMessage().text()).isNotBlank();
        assertThat(r.tokenUsage().outputTokenCount()).isBetween(1, 16);
        assertThat(r.tokenUsage().inputTokenCount()).isGreaterThan(5);
        assertThat(r.finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
    }

    @Test
    void streamingHandlerGetsPartialsAndACompleteResponseWithUsage() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(server.baseUrl()).apiKey("unused")
                .modelName("stories260K").maxTokens(16).temperature(0.0).timeout(Duration.ofSeconds(60)).build();
        List<String> partials = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat("Tell me a story about a cat.", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                partials.add(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse r = done.get(60, TimeUnit.SECONDS);
        assertThat(partials).hasSizeGreaterThan(1);
        assertThat(String.join("", partials)).isEqualTo(r.aiMessage().text());
        assertThat(r.tokenUsage()).isNotNull();
        assertThat(r.tokenUsage().outputTokenCount()).isBetween(1, 16);
        assertThat(r.tokenUsage().inputTokenCount()).isGreaterThan(5);
    }
}
