package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import dev.winnow.generate.speculative.SpeculateSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code speculate} request field and the server's default drafter, through the official
 * OpenAI Java SDK: greedy output (text, log probabilities, finish reason) with a drafter equals
 * the output without, streaming or not, alone or next to a plain request in the same batch; the
 * {@code winnow.speculation} object reports the drafter and its counts; bad specs and refused KV
 * policies are 400s naming the field.
 */
@Timeout(180)
class SpeculateSdkTest {
    private static final List<String> DRAFTERS =
            List.of("lookup:n=3,k=8", "recycling:k=8,tree=4/3/2/2/1/1/1/1", "self:kv=streaming:sinks=2;window=12,k=4");
    static TestServer server;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        server = TestServer.start(512, SpeculateSdkTest::noReuse);
        client = client(server);
    }

    /**
     * No idle conversations: a repeated prompt would reuse the first request's cache and prefill
     * only its last token, whose logits round differently than in a whole-prompt prefill.
     */
    private static ServerConfig noReuse(ServerConfig c) {
        return new ServerConfig(c.host(), c.port(), c.kv(), true, c.kvMemoryBytes(), c.parallel(), c.queueLength(), c.apiKey(),
                c.contextLength(), c.maxBodyBytes(), 0, c.speculate());
    }

    private static OpenAIClient client(TestServer s) {
        return OpenAIOkHttpClient.builder().baseUrl(s.baseUrl()).apiKey("any-token").timeout(Duration.ofSeconds(60))
                .maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    private static ChatCompletionCreateParams.Builder chat(String user, String speculate) {
        ChatCompletionCreateParams.Builder b = ChatCompletionCreateParams.builder().model(server.server.modelId())
                .addUserMessage(user).maxCompletionTokens(120).temperature(0.0).logprobs(true).topLogprobs(2);
        if (speculate != null) b.putAdditionalBodyProperty("speculate", JsonValue.from(speculate));
        return b;
    }

    private static CompletionCreateParams.Builder completion(String prompt, String speculate) {
        CompletionCreateParams.Builder b = CompletionCreateParams.builder().model(server.server.modelId())
                .prompt(prompt).maxTokens(150).temperature(0.0);
        if (speculate != null) b.putAdditionalBodyProperty("speculate", JsonValue.from(speculate));
        return b;
    }

    static JsonNode winnow(Map<String, JsonValue> extra) {
        return TestServer.JSON.valueToTree(extra.get("winnow").convert(Map.class));
    }

    @Test
    void chatWithEachDrafterEqualsPlainAndReportsTheCounts() {
        ChatCompletion plain = client.chat().completions().create(chat("Tell me a story about a cat.", null).build());
        assertThat(winnow(plain._additionalProperties()).has("speculation")).isFalse();
        long accepted = 0;
        for (String drafter : DRAFTERS) {
            ChatCompletion spec = client.chat().completions().create(chat("Tell me a story about a cat.", drafter).build());
            ChatCompletion.Choice a = plain.choices().get(0), b = spec.choices().get(0);
            assertThat(b.message().content()).as(drafter).isEqualTo(a.message().content());
            assertThat(b.finishReason()).as(drafter).isEqualTo(a.finishReason());
            assertThat(b.logprobs()).as(drafter + " logprobs").isEqualTo(a.logprobs());
            assertThat(spec.usage()).isEqualTo(plain.usage());
            JsonNode s = winnow(spec._additionalProperties()).get("speculation");
            assertThat(s).as(drafter).isNotNull();
            assertThat(s.get("drafter").asText()).isEqualTo(SpeculateSpec.parse(drafter).toString());
            long steps = s.get("steps").asLong();
            assertThat(steps).isBetween(1L, 120L);
            assertThat(s.get("accepted_tokens").asLong()).isBetween(0L, s.get("draft_tokens").asLong());
            assertThat(s.get("accepted_per_step").asDouble())
                    .isCloseTo((double) s.get("accepted_tokens").asLong() / steps, org.assertj.core.data.Offset.offset(1e-3));
            accepted += s.get("accepted_tokens").asLong();
        }
        assertThat(accepted).as("draft tokens accepted over the drafters").isGreaterThan(10);
    }

    @Test
    void streamedCompletionWithADrafterEqualsThePlainOne() {
        String prompt = "Once upon a time, there was a little girl named Lily. She";
        Completion plain = client.completions().create(completion(prompt, null).build());
        StringBuilder text = new StringBuilder();
        try (StreamResponse<Completion> s = client.completions().createStreaming(completion(prompt, "lookup:n=2,k=6").build())) {
            s.stream().forEach(c -> c.choices().forEach(ch -> text.append(ch.text())));
        }
        assertThat(text.toString()).isEqualTo(plain.choices().get(0).text());
        Completion spec = client.completions().create(completion(prompt, "recycling:k=4,tree=4/2/1").build());
        assertThat(spec.choices().get(0).text()).isEqualTo(plain.choices().get(0).text());
        assertThat(winnow(spec._additionalProperties()).get("speculation").get("steps").asLong()).isPositive();
    }

    @Test
    void aSpeculatingRequestBesideAPlainOneGivesWhatEachGivesAlone() {
        String p1 = "Tom had a red ball.", p2 = "The sun was hot and the dog";
        String alone1 = client.completions().create(completion(p1, null).build()).choices().get(0).text();
        String alone2 = client.completions().create(completion(p2, null).build()).choices().get(0).text();
        for (int round = 0; round < 2; round++) {
            CompletableFuture<Completion> a = CompletableFuture.supplyAsync(
                    () -> client.completions().create(completion(p1, "recycling").build()));
            CompletableFuture<Completion> b = CompletableFuture.supplyAsync(
                    () -> client.completions().create(completion(p2, null).build()));
            assertThat(a.join().choices().get(0).text()).isEqualTo(alone1);
            assertThat(b.join().choices().get(0).text()).isEqualTo(alone2);
        }
    }

    private static BadRequestException badChat(String field, String speculate, String kv) {
        ChatCompletionCreateParams.Builder b = chat("hi", null).maxCompletionTokens(4);
        if (field != null) b.putAdditionalBodyProperty("speculate", JsonValue.from(speculate));
        if (kv != null) b.putAdditionalBodyProperty("kv", JsonValue.from(kv));
        BadRequestException e = catchThrowableOfType(BadRequestException.class, () -> client.chat().completions().create(b.build()));
        assertThat(e).as("400 for speculate=%s kv=%s", speculate, kv).isNotNull();
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.param()).contains("speculate");
        assertThat(e.type()).contains("invalid_request_error");
        return e;
    }

    @Test
    void badSpecsAndRefusedKvPoliciesAre400sNamingTheField() {
        assertThat(badChat("speculate", "medusa", null).getMessage()).contains("unknown drafter 'medusa'", "lookup", "recycling");
        assertThat(badChat("speculate", "lookup:k=0", null).getMessage()).contains("lookup: k=0 must be >= 1");
        assertThat(badChat("speculate", "recycling:tree=9/1", null).getMessage()).contains("tree width 9 at depth 1");
        assertThat(badChat("speculate", "lookup", "h2o:budget=64").getMessage()).contains("cannot speculate with lookup",
                "h2o", "evicts entries");
        assertThat(badChat("speculate", "recycling", "kivi").getMessage()).contains("cannot speculate with recycling", "kivi");
        assertThat(badChat("speculate", "self:kv=kivi,k=4", null).getMessage())
                .contains("self: kv=kivi", "cannot be rolled back");
        BadRequestException number = catchThrowableOfType(BadRequestException.class, () -> client.completions()
                .create(completion("hi", null).putAdditionalBodyProperty("speculate", JsonValue.from(3)).build()));
        assertThat(number.param()).contains("speculate");
        assertThat(number.getMessage()).contains("speculate must be a string");
    }

    @Test
    void theServersDefaultDrafterAppliesUnlessARequestSaysNone() {
        try (TestServer s = TestServer.start(512, c -> noReuse(c).withSpeculate(SpeculateSpec.parse("lookup")))) {
            OpenAIClient c = client(s);
            CompletionCreateParams.Builder base = CompletionCreateParams.builder().model(s.server.modelId())
                    .prompt("Lily and Tom went to the park. Lily and Tom").maxTokens(100).temperature(0.0);
            Completion byDefault = c.completions().create(base.build());
            Completion none = c.completions().create(base.putAdditionalBodyProperty("speculate", JsonValue.from("none")).build());
            assertThat(byDefault.choices().get(0).text()).isEqualTo(none.choices().get(0).text());
            assertThat(winnow(byDefault._additionalProperties()).get("speculation").get("drafter").asText())
                    .isEqualTo("lookup:n=3,k=8");
            assertThat(winnow(none._additionalProperties()).has("speculation")).isFalse();
            BadRequestException e = catchThrowableOfType(BadRequestException.class, () -> c.completions().create(
                    base.putAdditionalBodyProperty("speculate", JsonValue.from(null)).putAdditionalBodyProperty("kv",
                            JsonValue.from("snapkv:budget=64")).build()));
            assertThat(e.param()).contains("speculate");
            assertThat(e.getMessage()).contains("snapkv", "default --speculate", "\"speculate\": \"none\"");
            c.close();
        }
    }
}
