package dev.winnow.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.winnow.OnStoriesModel;
import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Session;
import dev.winnow.generate.StopReason;
import dev.winnow.grammar.Grammar;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Constrained tool calls on stories260K (a story model that has never seen a tool call): with
 * tool_choice required or a named function, every sampled reply (temperature 1) must parse into
 * calls of known tools whose arguments validate against the tool's schema (networknt), in every
 * format; with auto the grammar is lazy.
 */
class ToolCallGenerationTest extends OnStoriesModel {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory VALIDATORS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    static final String WEATHER_SCHEMA = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":12},"
            + "\"unit\":{\"enum\":[\"celsius\",\"fahrenheit\"]}},\"required\":[\"city\"]}";
    static final String FLIGHTS_SCHEMA = "{\"type\":\"object\",\"properties\":{\"route\":{\"type\":\"object\",\"properties\":"
            + "{\"from\":{\"type\":\"string\",\"maxLength\":8},\"to\":{\"type\":\"string\",\"maxLength\":8}},\"required\":[\"from\",\"to\"]},"
            + "\"max_stops\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":3},"
            + "\"airlines\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"maxLength\":4},\"maxItems\":2}},\"required\":[\"route\",\"max_stops\"]}";
    static final List<Tool> TOOLS = List.of(
            Tool.of("get_weather", "Get the weather", WEATHER_SCHEMA),
            Tool.of("search_flights", "Search flights", FLIGHTS_SCHEMA));
    private static final Map<String, String> SCHEMAS = Map.of("get_weather", WEATHER_SCHEMA, "search_flights", FLIGHTS_SCHEMA);

    @ParameterizedTest
    @EnumSource(ToolCallFormat.class)
    void requiredAlwaysYieldsValidCalls(ToolCallFormat format) throws Exception {
        for (int seed = 1; seed <= 3; seed++) {
            List<ToolCall> calls = generate(format, ToolChoice.REQUIRED, seed, 3);
            assertThat(calls).hasSizeBetween(1, 3);
            assertValid(calls);
        }
    }

    @ParameterizedTest
    @EnumSource(ToolCallFormat.class)
    void namedFunctionIsTheOnlyOneCalled(ToolCallFormat format) throws Exception {
        for (int seed = 4; seed <= 6; seed++) {
            List<ToolCall> calls = generate(format, ToolChoice.named("search_flights"), seed, 1);
            assertThat(calls).hasSize(1);
            assertThat(calls.getFirst().name()).isEqualTo("search_flights");
            assertValid(calls);
        }
    }

    private static List<ToolCall> generate(ToolCallFormat format, ToolChoice choice, int seed, int maxCalls) {
        Grammar g = ToolGrammar.of(format, TOOLS, choice, maxCalls);
        Session session = new Session(model, 1024, Session.DEFAULT_BATCH);
        GenerationParams params = GenerationParams.builder().temperature(1f).topK(0).topP(1f).minP(0f).seed(seed)
                .maxTokens(700).grammar(g).build();
        Generation gen = session.generate("Once upon a time", params, t -> { });
        assertThat(gen.stopReason()).as("%s seed %d: %s", format, seed, gen.text()).isEqualTo(StopReason.END_OF_GENERATION);
        ToolCallParser.Reply reply = new ToolCallParser(format, new SplittableRandom(seed)).parse(gen.text());
        assertThat(reply.hasCalls()).as("%s seed %d: %s", format, seed, gen.text()).isTrue();
        assertThat(reply.content()).isEmpty();
        return reply.calls();
    }

    private static void assertValid(List<ToolCall> calls) throws Exception {
        for (ToolCall c : calls) {
            assertThat(SCHEMAS).containsKey(c.name());
            var errors = VALIDATORS.getSchema(SCHEMAS.get(c.name())).validate(JSON.readTree(c.arguments()));
            assertThat(errors).as("%s(%s)", c.name(), c.arguments()).isEmpty();
        }
    }

    @Test
    void autoIsLazyRequiredIsNot() {
        Grammar auto = ToolGrammar.of(ToolCallFormat.HERMES, TOOLS, ToolChoice.AUTO, ToolGrammar.MAX_PARALLEL_CALLS);
        assertThat(auto.isTriggered()).isTrue();
        assertThat(auto.triggers()).containsExactly("<tool_call>");
        assertThat(ToolGrammar.of(ToolCallFormat.HERMES, TOOLS, ToolChoice.REQUIRED, ToolGrammar.MAX_PARALLEL_CALLS).isTriggered()).isFalse();
        assertThat(ToolGrammar.of(ToolCallFormat.HERMES, TOOLS, ToolChoice.NONE, ToolGrammar.MAX_PARALLEL_CALLS)).isNull();
        String good = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>";
        assertThat(auto.matches(good)).isTrue();
        assertThat(auto.matches(good + "\n" + good)).isTrue();
        assertThat(ToolGrammar.of(ToolCallFormat.HERMES, TOOLS, ToolChoice.AUTO, 1).matches(good + "\n" + good)).isFalse();
        assertThat(auto.matches(good.replace("Oslo\"", "Oslo\", \"unit\": \"kelvin\""))).isFalse();
        assertThat(auto.matches(good.replace("get_weather", "get_time"))).isFalse();
        assertThat(auto.matches(good.replace("\"city\"", "\"town\""))).isFalse();
    }

    @Test
    void autoLeavesTextFreeUntilTheTrigger() {
        // stories260K never writes <tool_call>: under auto, its text is unconstrained and parses as text
        Grammar g = ToolGrammar.of(ToolCallFormat.HERMES, TOOLS, ToolChoice.AUTO, ToolGrammar.MAX_PARALLEL_CALLS);
        GenerationParams free = GenerationParams.builder().temperature(0).maxTokens(40).build();
        GenerationParams lazy = free.toBuilder().grammar(g).build();
        String a = new Session(model, 512, Session.DEFAULT_BATCH).generate("Once upon a time", free, t -> { }).text();
        String b = new Session(model, 512, Session.DEFAULT_BATCH).generate("Once upon a time", lazy, t -> { }).text();
        assertThat(b).isEqualTo(a);
        assertThat(new ToolCallParser(ToolCallFormat.HERMES).parse(b).hasCalls()).isFalse();
    }

    @Test
    void argumentsAreAlwaysAnObject() {
        for (String params : new String[] {"{}", "{\"properties\":{\"a\":{\"type\":\"integer\"}}}", null}) {
            Grammar g = ToolGrammar.of(ToolCallFormat.LLAMA3, List.of(Tool.of("f", null, params)), ToolChoice.REQUIRED, 1);
            assertThat(g.matches("{\"name\": \"f\", \"parameters\": {}}")).as(params).isTrue();
            assertThat(g.matches("{\"name\": \"f\", \"parameters\": 5}")).as(params).isFalse();
            assertThat(g.matches("{\"name\": \"f\", \"parameters\": []}")).as(params).isFalse();
        }
    }

    @Test
    void namedFunctionMustBeATool() {
        assertThatThrownBy(() -> ToolGrammar.of(ToolCallFormat.HERMES, TOOLS, ToolChoice.named("nope"), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'nope'").hasMessageContaining("get_weather");
        assertThatThrownBy(() -> Tool.of("bad name", null, "{}")).hasMessageContaining("bad name");
        assertThatThrownBy(() -> Tool.of("t", null, "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"uniqueItems\":true}}}"))
                .hasMessageContaining("uniqueItems");
        assertThat(TOOLS.stream().map(Tool::name).collect(Collectors.joining(","))).isEqualTo("get_weather,search_flights");
    }
}
