package dev.winnow.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.TokenStream;
import dev.winnow.generate.ChatSession;
import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Session;
import dev.winnow.model.Model;
import dev.winnow.template.ChatMessage;
import dev.winnow.template.ChatTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The LangChain4j provider on stories260K, used as an application would (AiServices, ChatMemory, listeners). */
@Timeout(120)
class WinnowChatModelTest {
    interface Assistant {
        String chat(String message);
    }

    interface StreamingAssistant {
        TokenStream chat(String message);
    }

    static final int MAX = 24;

    static WinnowChatModel greedy() {
        return WinnowChatModel.builder().modelPath(Stories.stories()).temperature(0.0).maxOutputTokens(MAX).threads(1).build();
    }

    /** The reply Winnow's own chat session gives (greedy, a fresh cache): the oracle for the provider. */
    static String direct(List<ChatMessage> before, String user) {
        try (Model m = Model.load(Stories.stories())) {
            ChatTemplate t = ChatTemplate.fromGguf(m.file()).orElseGet(ChatTemplate::chatml);
            Session s = new Session(m, 4096, Session.DEFAULT_BATCH, dev.winnow.kv.policy.KvSpec.DEFAULT.newPolicy());
            List<ChatMessage> all = new ArrayList<>(before);
            all.add(ChatMessage.user(user));
            int[] ids = m.tokenizer().encode(t.render(all, true), m.tokenizer().addBosByDefault(), true);
            return s.generate(ids, GenerationParams.greedy(MAX), text -> { }).text();
        }
    }

    @Test
    void aiServiceAnswersFromTheLocalModel() {
        try (WinnowChatModel model = greedy()) {
            Assistant a = AiServices.builder(Assistant.class).chatModel(model).build();
            String answer = a.chat("Tell me a story about a cat.");
            assertThat(answer).isNotBlank().isEqualTo(direct(List.of(), "Tell me a story about a cat."));
        }
    }

    @Test
    void tokenStreamStreamsPartialResponsesThenTheCompleteOne() throws Exception {
        try (WinnowStreamingChatModel model = WinnowStreamingChatModel.builder().modelPath(Stories.stories())
                .temperature(0.0).maxOutputTokens(MAX).threads(1).build()) {
            StreamingAssistant a = AiServices.builder(StreamingAssistant.class).streamingChatModel(model).build();
            List<String> parts = new ArrayList<>();
            CompletableFuture<ChatResponse> done = new CompletableFuture<>();
            a.chat("Tell me a story about a cat.").onPartialResponse(parts::add).onCompleteResponse(done::complete)
                    .onError(done::completeExceptionally).start();
            ChatResponse r = done.get(60, TimeUnit.SECONDS);
            assertThat(parts.size()).isGreaterThan(1);
            assertThat(String.join("", parts)).isEqualTo(r.aiMessage().text()).isEqualTo(direct(List.of(), "Tell me a story about a cat."));
            assertThat(r.tokenUsage().outputTokenCount()).isPositive().isLessThanOrEqualTo(MAX);
            assertThat(r.tokenUsage().inputTokenCount()).isPositive();
            assertThat(r.finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
            assertThat(r.id()).startsWith("winnow-");
        }
    }

    @Test
    void chatMemoryAcrossTwoTurnsPrefillsOnlyTheNewTokens() {
        try (WinnowChatModel model = greedy()) {
            Assistant a = AiServices.builder(Assistant.class).chatModel(model)
                    .chatMemory(MessageWindowChatMemory.withMaxMessages(10)).build();
            String first = a.chat("Tell me a story about a cat.");
            WinnowEngine e = model.engine();
            int promptOne = e.lastPrefilledTokens();
            int afterOne = e.cachedTokens();
            assertThat(e.lastReusedTokens()).isZero();

            String second = a.chat("And then?");
            // The whole conversation, as the model sees it, tokenized independently of the engine.
            Model m = e.model();
            ChatTemplate t = ChatTemplate.fromGguf(m.file()).orElseGet(ChatTemplate::chatml);
            List<ChatMessage> conv = List.of(ChatMessage.user("Tell me a story about a cat."), ChatMessage.assistant(first),
                    ChatMessage.user("And then?"));
            int whole = m.tokenizer().encode(t.render(conv, true), true, true).length;
            assertThat(e.lastReusedTokens()).isEqualTo(afterOne).isGreaterThan(promptOne);
            assertThat(e.lastPrefilledTokens()).isLessThan(whole - promptOne);
            // The new tokens are exactly the text after the first reply: the end of the assistant turn and the second user turn.
            String held = t.render(List.of(ChatMessage.user("Tell me a story about a cat.")), true) + first;
            String rest = t.render(conv, true).substring(held.length());
            assertThat(e.lastPrefilledTokens()).isEqualTo(m.tokenizer().encode(rest, false, true).length);
            assertThat(e.prefilledTokensTotal()).isEqualTo(promptOne + e.lastPrefilledTokens());
            assertThat(second).isNotBlank();
        }
    }

    @Test
    void listenerSeesRequestAndResponse() {
        List<ChatModelRequestContext> requests = new ArrayList<>();
        List<ChatModelResponseContext> responses = new ArrayList<>();
        ChatModelListener l = new ChatModelListener() {
            @Override
            public void onRequest(ChatModelRequestContext c) {
                requests.add(c);
            }

            @Override
            public void onResponse(ChatModelResponseContext c) {
                responses.add(c);
            }

            @Override
            public void onError(ChatModelErrorContext c) {
                throw new AssertionError(c.error());
            }
        };
        try (WinnowChatModel model = WinnowChatModel.builder().modelPath(Stories.stories()).temperature(0.0)
                .maxOutputTokens(5).threads(1).listeners(List.of(l)).build()) {
            ChatResponse r = model.chat(ChatRequest.builder().messages(UserMessage.from("Hi")).build());
            assertThat(requests).hasSize(1);
            assertThat(requests.get(0).chatRequest().messages()).containsExactly(UserMessage.from("Hi"));
            // The model's default parameters were merged into the request the listener saw.
            assertThat(requests.get(0).chatRequest().parameters().temperature()).isEqualTo(0.0);
            assertThat(requests.get(0).chatRequest().parameters().maxOutputTokens()).isEqualTo(5);
            assertThat(responses).hasSize(1);
            assertThat(responses.get(0).chatResponse()).isEqualTo(r);
            assertThat(r.tokenUsage().outputTokenCount()).isEqualTo(5);
            assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
        }
    }

    @Test
    void perRequestParametersChangeTheOutput() {
        try (WinnowChatModel model = greedy()) {
            ChatRequest.Builder base = ChatRequest.builder().messages(UserMessage.from("Once upon a time"));
            ChatResponse g = model.chat(base.build());
            ChatResponse g2 = model.chat(base.build());
            assertThat(g2.aiMessage().text()).isEqualTo(g.aiMessage().text()); // greedy is deterministic

            ChatResponse shorter = model.chat(ChatRequest.builder().messages(UserMessage.from("Once upon a time"))
                    .maxOutputTokens(3).build());
            assertThat(shorter.tokenUsage().outputTokenCount()).isEqualTo(3);
            assertThat(shorter.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(g.aiMessage().text()).startsWith(shorter.aiMessage().text());

            ChatResponse hot = model.chat(ChatRequest.builder().messages(UserMessage.from("Once upon a time"))
                    .temperature(2.0).topK(0).topP(1.0).build());
            assertThat(hot.aiMessage().text()).isNotEqualTo(g.aiMessage().text());

            // A stop sequence taken from the greedy reply cuts it there.
            String text = g.aiMessage().text();
            String word = text.strip().split("\\s+")[Math.min(2, text.strip().split("\\s+").length - 1)];
            ChatResponse stopped = model.chat(ChatRequest.builder().messages(UserMessage.from("Once upon a time"))
                    .stopSequences(List.of(word)).build());
            assertThat(stopped.aiMessage().text()).isEqualTo(text.substring(0, text.indexOf(word)));
            assertThat(stopped.finishReason()).isEqualTo(FinishReason.STOP);

            // modelName switches the model: another GGUF file serves the request.
            String other = Stories.model("synth-llama.gguf").toString();
            ChatResponse switched = model.chat(ChatRequest.builder().messages(UserMessage.from("Once upon a time"))
                    .modelName(other).maxOutputTokens(4).build());
            assertThat(switched.modelName()).isEqualTo(other);
            assertThat(model.engine().model().path().toString()).isEqualTo(other);
        }
    }

    @Test
    void unsupportedInputIsRejectedWithAClearError() {
        try (WinnowChatModel model = greedy()) {
            assertThatThrownBy(() -> model.chat(ChatRequest.builder().messages(UserMessage.from("x")).frequencyPenalty(0.5).build()))
                    .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("frequencyPenalty");
            assertThatThrownBy(() -> model.chat(ChatRequest.builder().messages(UserMessage.from("x")).topP(1.5).build()))
                    .hasMessageContaining("topP");
        }
        assertThatThrownBy(() -> WinnowChatModel.builder().model("no/such-model:Q4_K_M").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no/such-model");
        assertThatThrownBy(() -> WinnowChatModel.builder().modelPath(Stories.stories()).kv("nosuchpolicy").build())
                .hasMessageContaining("nosuchpolicy");
    }

    @Test
    void builderComesFromTheServiceLoaderFactory() throws Exception {
        // TestBuilderFactory (META-INF/services) presets 7 output tokens.
        try (WinnowStreamingChatModel model = WinnowStreamingChatModel.builder().modelPath(Stories.stories()).threads(1).build()) {
            assertThat(model.defaultRequestParameters().maxOutputTokens()).isEqualTo(7);
            CompletableFuture<ChatResponse> done = new CompletableFuture<>();
            model.chat(ChatRequest.builder().messages(UserMessage.from("Hi")).build(), new StreamingChatResponseHandler() {
                @Override
                public void onCompleteResponse(ChatResponse r) {
                    done.complete(r);
                }

                @Override
                public void onError(Throwable t) {
                    done.completeExceptionally(t);
                }
            });
            assertThat(done.get(60, TimeUnit.SECONDS).tokenUsage().outputTokenCount()).isLessThanOrEqualTo(7);
        }
    }
}
