package dev.winnow.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tool-call parsing per format: several calls, nested arguments, and malformed output kept as text. */
class ToolCallParserTest {
    private static final String NESTED = "{\"route\":{\"from\":\"Oslo\",\"to\":\"Rome\",\"via\":[{\"city\":\"Berlin\",\"hours\":2.5}]},\"note\":\"a } and a \\\" inside\"}";

    private static ToolCallParser parser(ToolCallFormat f) {
        return new ToolCallParser(f, new SplittableRandom(7));
    }

    private static void assertCalls(ToolCallParser.Reply r, String content) {
        assertThat(r.content()).isEqualTo(content);
        assertThat(r.calls()).extracting(ToolCall::name).containsExactly("get_weather", "search_flights");
        assertThat(r.calls().get(0).arguments()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(r.calls().get(1).arguments()).isEqualTo(NESTED);
        assertThat(r.calls().get(0).id()).isNotEqualTo(r.calls().get(1).id());
    }

    @Test
    void hermesBlocksWithTextAround() {
        String out = "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n"
                + "<tool_call>\n{\"name\": \"search_flights\", \"arguments\": " + NESTED + "}\n</tool_call>";
        ToolCallParser.Reply r = parser(ToolCallFormat.HERMES).parse(out);
        assertCalls(r, "Let me check.");
        assertThat(r.calls().get(0).id()).matches("call_[A-Za-z0-9]{24}");
    }

    @Test
    void hermesArgumentsAsAStringAndAMissingClosingTagAtTheEnd() {
        String out = "<tool_call>{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}</tool_call>"
                + "<tool_call>{\"name\":\"search_flights\",\"arguments\":" + NESTED + "}";
        assertCalls(parser(ToolCallFormat.HERMES).parse(out), "");
    }

    @Test
    void llama3JsonAndPythonTag() {
        String one = "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}";
        String two = "{\"name\": \"search_flights\", \"parameters\": " + NESTED + "}";
        assertCalls(parser(ToolCallFormat.LLAMA3).parse(one + "; " + two), "");
        assertCalls(parser(ToolCallFormat.LLAMA3).parse("<|python_tag|>" + one + "\n" + two), "");
        // after text, from the first {"name" (where the lazy grammar starts)
        assertCalls(parser(ToolCallFormat.LLAMA3).parse("Checking. " + one + "; " + two), "Checking.");
    }

    @Test
    void mistralList() {
        String out = "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}, \"id\": \"abcdefghi\"}, "
                + "{\"name\": \"search_flights\", \"arguments\": " + NESTED + "}]";
        ToolCallParser.Reply r = parser(ToolCallFormat.MISTRAL).parse(out);
        assertCalls(r, "");
        assertThat(r.calls().get(0).id()).matches("[A-Za-z0-9]{9}");
        // [TOOL_CALLS] is a control token the decoder may drop: the bare list counts too
        assertCalls(parser(ToolCallFormat.MISTRAL).parse(out.substring("[TOOL_CALLS]".length())), "");
    }

    @Test
    void fireFunctionList() {
        String out = "Sure. functools[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}, "
                + "{\"name\": \"search_flights\", \"arguments\": " + NESTED + "}]";
        assertCalls(parser(ToolCallFormat.FIREFUNCTION).parse(out), "Sure.");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "HERMES|<tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"</tool_call>",
        "HERMES|<tool_call>{\"arguments\": {\"city\": \"Paris\"}}</tool_call>",
        "HERMES|<tool_call>{\"name\": \"get_weather\", \"arguments\": [1, 2]}</tool_call>",
        "HERMES|<tool_call>{\"name\": \"get_weather\", \"arguments\": {}} and more</tool_call>",
        "HERMES|<tool_call>{\"name\": \"a\", \"arguments\": {}}</tool_call><tool_call>not json</tool_call>",
        "HERMES|Once upon a time there was a frog.",
        "LLAMA3|{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}} because",
        "LLAMA3|The answer is {\"name\": \"x\"}",
        "LLAMA3|The answer is {\"name\": \"x\", \"parameters\": {}} or not",
        "LLAMA3|{\"name\": \"get_weather\", \"parameters\": {\"city\": }}",
        "MISTRAL|[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {}}",
        "MISTRAL|[TOOL_CALLS]{\"name\": \"get_weather\", \"arguments\": {}}",
        "MISTRAL|[TOOL_CALLS][]",
        "FIREFUNCTION|functools[{\"name\": \"get_weather\", \"arguments\": {}}] trailing",
    })
    void malformedOutputIsText(ToolCallFormat format, String out) {
        ToolCallParser.Reply r = parser(format).parse(out);
        assertThat(r.hasCalls()).isFalse();
        assertThat(r.content()).isEqualTo(out);
    }

    @ParameterizedTest
    @CsvSource({
        "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use, HERMES",
        "NousResearch-Hermes-3-Llama-3.1-8B-tool_use, HERMES",
        "Qwen-Qwen2.5-7B-Instruct, HERMES",
        "meta-llama-Llama-3.1-8B-Instruct, LLAMA3",
        "meta-llama-Llama-3.2-3B-Instruct, LLAMA3",
        "meta-llama-Llama-3.3-70B-Instruct, LLAMA3",
        "mistralai-Mistral-Nemo-Instruct-2407, MISTRAL",
        "fireworks-ai-llama-3-firefunction-v2, FIREFUNCTION",
    })
    void formatDetectedFromTheTemplate(String template, ToolCallFormat expected) throws IOException {
        String source = Files.readString(SharedData.path("templates/" + template + ".jinja"));
        assertThat(ToolCallFormat.detect(source)).contains(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"google-gemma-2-2b-it", "microsoft-Phi-3.5-mini-instruct", "meetkai-functionary-medium-v3.2"})
    void unrecognizedTemplatesFallBackToHermes(String template) throws IOException {
        String source = Files.readString(SharedData.path("templates/" + template + ".jinja"));
        assertThat(ToolCallFormat.detect(source)).isEmpty();
        assertThat(ToolCallFormat.forTemplate(source)).isEqualTo(ToolCallFormat.HERMES);
    }

    @Test
    void callsKeepTheirOrderAndGetDistinctIds() {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 5; i++) out.append("<tool_call>{\"name\": \"f").append(i).append("\", \"arguments\": {\"i\": ").append(i).append("}}</tool_call>\n");
        List<ToolCall> calls = parser(ToolCallFormat.HERMES).parse(out.toString()).calls();
        assertThat(calls).extracting(ToolCall::name).containsExactly("f0", "f1", "f2", "f3", "f4");
        assertThat(calls).extracting(ToolCall::id).doesNotHaveDuplicates();
    }
}
