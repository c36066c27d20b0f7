package dev.winnow.template;

import static dev.winnow.template.ChatMessage.assistant;
import static dev.winnow.template.ChatMessage.system;
import static dev.winnow.template.ChatMessage.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.SharedData;
import dev.winnow.gguf.GgufFile;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The public API of {@link ChatTemplate}: variables it passes, GGUF loading, the ChatML fallback. */
class ChatTemplateTest {
    private static final List<ChatMessage> CONVERSATION = List.of(system("Be nice."), user("Hi"), assistant("Hello"), user("Bye"));

    @Test
    void chatmlFallback() {
        ChatTemplate t = ChatTemplate.chatml();
        assertThat(t.render(CONVERSATION, true)).isEqualTo("""
                <|im_start|>system
                Be nice.<|im_end|>
                <|im_start|>user
                Hi<|im_end|>
                <|im_start|>assistant
                Hello<|im_end|>
                <|im_start|>user
                Bye<|im_end|>
                <|im_start|>assistant
                """);
        assertThat(t.render(List.of(user("Hi")), false)).isEqualTo("<|im_start|>user\nHi<|im_end|>\n");
        assertThat(t.source()).isEqualTo(ChatTemplate.CHATML_SOURCE);
    }

    @Test
    void variablesSeenByTheTemplate() {
        ChatTemplate t = ChatTemplate.of("{{ messages | length }}|{{ messages[0].role }}:{{ messages[0].content }}|"
                + "{{ add_generation_prompt }}|{{ bos_token }}|{{ eos_token }}|{{ tools is none }}|{{ documents is none }}|{{ extra }}",
                "<s>", "</s>");
        assertThat(t.render(List.of(user("Hi")), true, Map.of("extra", 42))).isEqualTo("1|user:Hi|True|<s>|</s>|True|True|42");
        // extras may override the special tokens and tools
        assertThat(t.render(List.of(user("Hi")), false, Map.of("bos_token", "[BOS]", "tools", List.of())))
                .isEqualTo("1|user:Hi|False|[BOS]|</s>|False|True|");
    }

    @Test
    void unknownSpecialTokensAreUndefined() {
        ChatTemplate t = ChatTemplate.of("[{{ bos_token }}]{{ bos_token is defined }}");
        assertThat(t.bosToken()).isEmpty();
        assertThat(t.render(List.of(user("x")), false)).isEqualTo("[]False");
        assertThat(t.withSpecialTokens("<s>", null).render(List.of(user("x")), false)).isEqualTo("[<s>]True");
    }

    @Test
    void nullContentIsNone() {
        ChatTemplate t = ChatTemplate.of("{{ messages[0].content is none }}");
        assertThat(t.render(List.of(new ChatMessage("assistant", null)), false)).isEqualTo("True");
    }

    @Test
    void messagesAndAddGenerationPromptCannotBeExtras() {
        ChatTemplate t = ChatTemplate.chatml();
        assertThatThrownBy(() -> t.render(List.of(), true, Map.of("messages", List.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("messages");
        Map<String, Object> extras = new HashMap<>();
        extras.put("add_generation_prompt", false);
        assertThatThrownBy(() -> t.render(List.of(), true, extras)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void richMessagesWithToolCalls() {
        ChatTemplate t = ChatTemplate.of("{% for m in messages %}{{ m.role }}"
                + "{% if m.tool_calls %}:{{ m.tool_calls[0].function.name }}({{ m.tool_calls[0].function.arguments | tojson }}){% endif %}"
                + "{% if m.tool_call_id is defined %}[{{ m.tool_call_id }}]{% endif %};{% endfor %}");
        List<Map<String, Object>> messages = List.of(
                Map.of("role", "user", "content", "weather?"),
                Map.of("role", "assistant", "tool_calls", List.of(Map.of("function",
                        Map.of("name", "get_weather", "arguments", Map.of("city", "Paris"))))),
                Map.of("role", "tool", "tool_call_id", "abc", "content", "22"));
        assertThat(t.renderMessages(messages, false, Map.of()))
                .isEqualTo("user;assistant:get_weather({\"city\": \"Paris\"});tool[abc];");
    }

    @Test
    void strftimeNowUsesTheClock() {
        ChatTemplate t = ChatTemplate.of("{{ strftime_now('%Y-%m-%d') }}")
                .withClock(Clock.fixed(Instant.parse("2024-02-29T12:00:00Z"), ZoneOffset.UTC));
        assertThat(t.render(List.of(), false)).isEqualTo("2024-02-29");
    }

    @Test
    void syntaxErrorsAreReportedWhenTheTemplateIsCreated() {
        assertThatThrownBy(() -> ChatTemplate.of("{% for m in messages %}{{ m.content }"))
                .isInstanceOf(TemplateException.class)
                .hasMessage("line 1, column 37: unexpected '}'");
    }

    @Test
    void templateErrorsWhileRendering() {
        ChatTemplate t = ChatTemplate.of("{% if messages[0].role != 'user' %}{{ raise_exception('First message must be from the user') }}{% endif %}ok");
        assertThat(t.render(List.of(user("x")), false)).isEqualTo("ok");
        assertThatThrownBy(() -> t.render(List.of(assistant("x")), false))
                .isInstanceOf(TemplateException.class)
                .hasMessage("line 1, column 39: First message must be from the user")
                .extracting(e -> ((TemplateException) e).kind()).isEqualTo(TemplateException.Kind.RAISED);
    }

    @Test
    void fromGgufReadsTheTemplateAndTheSpecialTokens() {
        try (GgufFile gguf = GgufFile.open(SharedData.path("tokenizers/ggml-vocab-llama-bpe.gguf"))) {
            ChatTemplate t = ChatTemplate.fromGguf(gguf).orElseThrow();
            assertThat(t.source()).startsWith("{% set loop_messages = messages %}");
            assertThat(t.bosToken()).contains("<|begin_of_text|>");
            assertThat(t.eosToken()).contains("<|end_of_text|>");
            assertThat(ChatTemplate.fromGguf(gguf, "tool_use")).isEmpty();
        }
    }

    @Test
    void fromGgufIsEmptyWithoutATemplate() {
        try (GgufFile gguf = GgufFile.open(SharedData.path("tokenizers/ggml-vocab-llama-spm.gguf"))) {
            assertThat(ChatTemplate.fromGguf(gguf)).isEmpty();
        }
    }
}
