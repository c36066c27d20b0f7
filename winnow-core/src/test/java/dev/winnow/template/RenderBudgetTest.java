package dev.winnow.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.winnow.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Hostile templates end with a {@link TemplateException}; real chat templates fit well inside the budget. */
class RenderBudgetTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-14T09:05:07Z"), ZoneOffset.UTC);

    private static TemplateException fails(String source) {
        long start = System.nanoTime();
        TemplateException e = catchThrowableOfType(TemplateException.class,
                () -> JinjaTemplate.parse(source).render(Map.of(), CLOCK));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(e).as("rendering must fail").isNotNull();
        // generous bound against a hang (the issue saw > 20 s); typical is a few ms to 100 ms
        assertThat(millis).as("time to fail").isLessThan(10_000);
        return e;
    }

    @Test
    void nestedHugeLoopsHitTheStepBudget() {
        TemplateException e = fails(
                "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}");
        assertThat(e.getMessage()).contains("step budget").contains("line 1");
    }

    @Test
    void doublingANamespaceStringHitsTheSizeBudget() {
        TemplateException e = fails("{% set ns = namespace(s='abcdefgh') %}"
                + "{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}");
        assertThat(e.getMessage()).contains("str of").contains("over its budget");
    }

    @Test
    void stringGrowthLoopOverAListHitsTheBuiltBudget() {
        TemplateException e = fails("{% set ns = namespace(s='') %}{% for m in range(100000) %}"
                + "{% for x in ['aaaaaaaaaa', 'bbbbbbbbbb'] %}{% set ns.s = ns.s + x %}{% endfor %}{% endfor %}");
        assertThat(e.getMessage()).contains("characters built");
    }

    @Test
    void outputGrowthHitsTheOutputBudget() {
        TemplateException e = fails("{% for a in range(100000) %}{% for b in range(20) %}"
                + "{{ 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }}{% endfor %}{% endfor %}");
        assertThat(e.getMessage()).contains("output exceeded");
    }

    @Test
    void hugeRepetitionAndPaddingAreRefused() {
        assertThat(fails("{{ ('x' * 1000000) * 1000000 }}").getMessage()).contains("too large");
        assertThat(fails("{% set s = 'x' * 1000000 %}{{ s * 100 }}").getMessage()).contains("too large");
    }

    @Test
    void recursiveMacroIsBounded() {
        assertThat(fails("{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}").getMessage())
                .containsAnyOf("recursion", "step budget");
    }

    /**
     * Every shared template renders a 200-message conversation with a tool within a hundredth of
     * the default budget (the margin the defaults promise).
     */
    @Test
    void sharedTemplatesFitInAHundredthOfTheDefaultBudget() throws IOException {
        RenderBudget d = RenderBudget.DEFAULT;
        RenderBudget small = new RenderBudget(d.maxSteps() / 100, d.maxOutputChars() / 100,
                d.maxValueSize() / 100, d.maxBuiltChars() / 100);
        List<Map<String, Object>> messages = new ArrayList<>();
        messages.add(Map.of("role", "system", "content", "You are a helpful assistant. ".repeat(10)));
        for (int i = 0; i < 100; i++) {
            messages.add(Map.of("role", "user", "content", "Question number " + i + " about the weather? ".repeat(5)));
            messages.add(Map.of("role", "assistant", "content", "Answer number " + i + ", it is sunny. ".repeat(5)));
        }
        messages.add(Map.of("role", "user", "content", "Last question?"));
        Map<String, Object> tool = Map.of("type", "function", "function", Map.of("name", "get_weather",
                "description", "Get the weather", "parameters", Map.of("type", "object",
                        "properties", Map.of("city", Map.of("type", "string")), "required", List.of("city"))));
        List<Path> files;
        try (Stream<Path> s = Files.list(SharedData.path("templates"))) {
            files = s.filter(p -> p.toString().endsWith(".jinja")).sorted().toList();
        }
        assertThat(files).hasSize(17);
        for (Path file : files) {
            JinjaTemplate t = JinjaTemplate.parse(Files.readString(file));
            for (boolean withTools : new boolean[] {false, true}) {
                Map<String, Object> vars = new LinkedHashMap<>();
                vars.put("messages", messages);
                vars.put("bos_token", "<s>");
                vars.put("eos_token", "</s>");
                vars.put("add_generation_prompt", true);
                if (withTools) vars.put("tools", List.of(tool));
                String full;
                try {
                    full = t.render(vars, CLOCK);
                } catch (TemplateException e) {
                    continue; // a template refusing this conversation (e.g. no tools support) is not a budget matter
                }
                assertThat(t.render(vars, CLOCK, small)).as(file.getFileName() + " tools=" + withTools).isEqualTo(full);
            }
        }
    }
}
