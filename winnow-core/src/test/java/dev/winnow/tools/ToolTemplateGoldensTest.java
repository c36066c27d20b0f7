package dev.winnow.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.SharedData;
import dev.winnow.template.ChatTemplate;
import dev.winnow.template.TemplateException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Conversations with tools (two tools with nested parameters, one and two calls in the history,
 * tool results) rendered through every shared chat template by {@link ToolPrompt}, compared with
 * what Python's jinja2 renders as Hugging Face transformers does
 * ({@code scripts/render-template-goldens.py}; its outputs are the resources under
 * {@code template-goldens/}). When jinja2 fails (e.g. a template that allows one call per turn),
 * the Java renderer must fail too.
 */
class ToolTemplateGoldensTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The instant the generator script gives strftime_now. */
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-14T09:05:07Z"), ZoneOffset.UTC);
    private static final List<String> TEMPLATES = List.of(
            "CohereForAI-c4ai-command-r-plus-tool_use", "CohereForAI-c4ai-command-r7b-12-2024-tool_use",
            "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use", "NousResearch-Hermes-3-Llama-3.1-8B-tool_use",
            "Qwen-Qwen2.5-7B-Instruct", "deepseek-ai-DeepSeek-R1-Distill-Llama-8B", "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B",
            "fireworks-ai-llama-3-firefunction-v2", "google-gemma-2-2b-it", "llama-cpp-deepseek-r1",
            "meetkai-functionary-medium-v3.1", "meetkai-functionary-medium-v3.2", "meta-llama-Llama-3.1-8B-Instruct",
            "meta-llama-Llama-3.2-3B-Instruct", "meta-llama-Llama-3.3-70B-Instruct", "microsoft-Phi-3.5-mini-instruct",
            "mistralai-Mistral-Nemo-Instruct-2407");

    record Case(String template, String name, Map<String, Object> data) {
        @Override
        public String toString() {
            return template + " / " + name;
        }
    }

    @SuppressWarnings("unchecked")
    static Stream<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        for (String t : TEMPLATES) {
            try (InputStream in = ToolTemplateGoldensTest.class.getResourceAsStream("/template-goldens/" + t + ".json")) {
                assertThat(in).as("golden file of %s", t).isNotNull();
                Map<String, Object> file = JSON.readValue(in, Map.class);
                for (Object c : (List<Object>) file.get("cases")) {
                    Map<String, Object> m = (Map<String, Object>) c;
                    out.add(new Case(t, (String) m.get("case"), m));
                }
            }
        }
        assertThat(out).hasSize(TEMPLATES.size() * 6);
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void rendersLikeJinja2(Case c) throws IOException {
        String source = Files.readString(SharedData.path("templates/" + c.template() + ".jinja"));
        ChatTemplate template = ChatTemplate.of(source, (String) c.data().get("bos_token"), (String) c.data().get("eos_token"))
                .withClock(CLOCK);
        List<Tool> tools = new ArrayList<>();
        for (Object o : (List<Object>) c.data().get("tools")) {
            Map<String, Object> f = (Map<String, Object>) ((Map<String, Object>) o).get("function");
            tools.add(Tool.of((String) f.get("name"), (String) f.get("description"), (Map<String, Object>) f.get("parameters")));
        }
        List<Map<String, Object>> messages = (List<Map<String, Object>>) c.data().get("messages");
        boolean gen = (Boolean) c.data().get("add_generation_prompt");
        if (c.data().containsKey("error")) {
            assertThatThrownBy(() -> ToolPrompt.render(template, messages, tools, gen))
                    .as("jinja2 failed with %s", c.data().get("error"))
                    .isInstanceOf(TemplateException.class);
        } else {
            assertThat(ToolPrompt.render(template, messages, tools, gen)).isEqualTo(c.data().get("expected"));
        }
    }
}
