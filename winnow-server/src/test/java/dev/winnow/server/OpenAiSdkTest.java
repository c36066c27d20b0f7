package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.models.Model;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The official OpenAI Java SDK against a server on stories260K. */
@Timeout(120)
class OpenAiSdkTest {
    static TestServer server;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("any-token")
                .timeout(Duration.ofSeconds(60)).maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    private static ChatCompletionCreateParams.Builder chat(String user, long max) {
        return ChatCompletionCreateParams.builder().model(server.server.modelId()).addUserMessage(user).maxCompletionTokens(max);
    }

    @Test
    void chatCompletionWithUsage() {
        ChatCompletion c = client.chat().completions().create(chat("Tell me a story.", 12).temperature(0.0).build());
        assertThat(c.id()).startsWith("chatcmpl-");
        assertThat(c.model()).isEqualTo("stories260K");
        assertThat(c.created()).isBetween(System.currentTimeMillis() / 1000 - 60, System.currentTimeMillis() / 1000 + 1);
        assertThat(c.choices()).hasSize(1);
        ChatCompletion.Choice choice = c.choices().get(0);
        assertThat(choice.index()).isZero();
        assertThat(choice.message().content()).get().asString().isNotEmpty();
        assertThat(choice.finishReason().asString()).isIn("stop", "length");
        CompletionUsage u = c.usage().orElseThrow();
        assertThat(u.completionTokens()).isBetween(1L, 12L);
        assertThat(u.promptTokens()).isGreaterThan(5);
        assertThat(u.totalTokens()).isEqualTo(u.promptTokens() + u.completionTokens());
        if (u.completionTokens() == 12) assertThat(choice.finishReason().asString()).isEqualTo("length");
    }

    @Test
    void streamingChatEqualsNonStreamingAndReportsUsageOnlyWhenAsked() {
        String whole = client.chat().completions().create(chat("Once upon a time", 16).temperature(0.0).build())
                .choices().get(0).message().content().orElseThrow();
        for (boolean usage : new boolean[] {false, true}) {
            ChatCompletionCreateParams.Builder p = chat("Once upon a time", 16).temperature(0.0);
            if (usage) p.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
            StringBuilder text = new StringBuilder();
            List<ChatCompletionChunk> chunks = new ArrayList<>();
            try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(p.build())) {
                s.stream().forEach(chunks::add);
            }
            for (ChatCompletionChunk ch : chunks) {
                for (ChatCompletionChunk.Choice c : ch.choices()) c.delta().content().ifPresent(text::append);
            }
            assertThat(text.toString()).isEqualTo(whole);
            assertThat(chunks.getFirst().choices().getFirst().delta().role()).isPresent();
            List<ChatCompletionChunk> withUsage = chunks.stream().filter(ch -> ch.usage().isPresent()).toList();
            if (usage) {
                assertThat(withUsage).hasSize(1);
                assertThat(withUsage.getFirst()).isSameAs(chunks.getLast());
                assertThat(chunks.getLast().choices()).isEmpty();
                assertThat(withUsage.getFirst().usage().orElseThrow().completionTokens()).isBetween(1L, 16L);
            } else {
                assertThat(withUsage).isEmpty();
            }
            assertThat(chunks.stream().map(ChatCompletionChunk::id).distinct()).hasSize(1);
        }
    }

    @Test
    void textCompletion() {
        Completion c = client.completions().create(CompletionCreateParams.builder().model("stories260K")
                .prompt("Once upon a time").maxTokens(10).temperature(0.0).build());
        assertThat(c.id()).startsWith("cmpl-");
        assertThat(c.choices().get(0).text()).isNotEmpty();
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(10);
        assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("length");
    }

    @Test
    void stopSequenceEndsTheTextBeforeIt() {
        String full = client.completions().create(CompletionCreateParams.builder().model("stories260K")
                .prompt("Once upon a time").maxTokens(24).temperature(0.0).build()).choices().get(0).text();
        // A word from the middle of the greedy continuation: the same request with it as a stop string ends before it.
        String[] words = full.strip().split(" ");
        assertThat(words.length).isGreaterThan(3);
        String stop = " " + words[2];
        Completion c = client.completions().create(CompletionCreateParams.builder().model("stories260K")
                .prompt("Once upon a time").maxTokens(24).temperature(0.0).stop(stop).build());
        assertThat(c.choices().get(0).text()).isEqualTo(full.substring(0, full.indexOf(stop)));
        assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("stop");

        ChatCompletion chat = client.chat().completions().create(chat("Hello", 24).temperature(0.0).stop(stop).build());
        assertThat(chat.choices().get(0).message().content().orElseThrow()).doesNotContain(stop);
    }

    @Test
    void sameSeedSameText() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            texts.add(client.chat().completions().create(chat("Tell me about a dog.", 24).temperature(1.0).seed(1234L).build())
                    .choices().get(0).message().content().orElseThrow());
        }
        assertThat(texts.get(0)).isNotEmpty().isEqualTo(texts.get(1));
    }

    @Test
    void penaltiesAndLogitBiasGiveWhatTheEngineGivesWithTheSameParameters() {
        String prompt = "Once upon a time";
        int[] ids = server.model.tokenizer().encode(prompt, server.model.tokenizer().addBosByDefault(), false);
        String plain = client.completions().create(CompletionCreateParams.builder().model("stories260K")
                .prompt(prompt).maxTokens(40).temperature(0.0).build()).choices().get(0).text();
        // Ban the first token greedy decoding picks, and penalise repeats.
        int first = new dev.winnow.generate.Session(server.model, 256, 64, newPolicy())
                .generate(ids, dev.winnow.generate.GenerationParams.greedy(1), dev.winnow.generate.TokenListener.NONE).tokens()[0];
        dev.winnow.generate.GenerationParams p = dev.winnow.generate.GenerationParams.builder().temperature(0)
                .maxTokens(40).frequencyPenalty(1.5f).presencePenalty(0.5f)
                .logitBias(java.util.Map.of(first, -100f)).build();
        String expected = new dev.winnow.generate.Session(server.model, 256, 64, newPolicy()).generate(ids, p, dev.winnow.generate.TokenListener.NONE).text();
        String penalised = client.completions().create(CompletionCreateParams.builder().model("stories260K")
                .prompt(prompt).maxTokens(40).temperature(0.0).frequencyPenalty(1.5).presencePenalty(0.5)
                .logitBias(CompletionCreateParams.LogitBias.builder()
                        .putAdditionalProperty(String.valueOf(first), com.openai.core.JsonValue.from(-100)).build())
                .build()).choices().get(0).text();
        assertThat(penalised).isEqualTo(expected).isNotEqualTo(plain);
        assertThat(penalised).doesNotStartWith(server.model.tokenizer().decode(new int[] {first}));
    }

    private static dev.winnow.kv.policy.KvPolicy newPolicy() {
        return dev.winnow.kv.policy.KvSpec.FULL.newPolicy();
    }

    @Test
    void models() {
        List<Model> data = client.models().list().data();
        assertThat(data).extracting(Model::id).containsExactly("stories260K");
        Model m = client.models().retrieve("stories260K");
        assertThat(m.id()).isEqualTo("stories260K");
        assertThat(m.ownedBy()).isEqualTo("winnow");
    }
}
