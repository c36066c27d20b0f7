package dev.winnow.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a streamed reply sends as content while it may turn into a tool call (tool_choice auto). */
class ToolCallStreamTest {
    private static String feed(ToolCallStream s, List<String> pieces) {
        StringBuilder sent = new StringBuilder();
        for (String p : pieces) sent.append(s.accept(p));
        return sent.toString();
    }

    @Test
    void textBeforeTheTagIsStreamedTheCallIsHeld() {
        ToolCallStream s = new ToolCallStream(new ToolCallParser(ToolCallFormat.HERMES), false);
        String sent = feed(s, List.of("Let me ", "look. <to", "ol_call>{\"name\": \"f\", ", "\"arguments\": {\"a\": 1}}</tool_call>"));
        assertThat(sent).isEqualTo("Let me look. ");
        ToolCallStream.Result r = s.finish();
        assertThat(r.reply().calls()).singleElement().satisfies(c -> assertThat(c.arguments()).isEqualTo("{\"a\":1}"));
        assertThat(r.unsentContent()).isEmpty();
    }

    @Test
    void aPrefixOfTheTagIsHeldOnlyUntilItCannotBeOne() {
        ToolCallStream s = new ToolCallStream(new ToolCallParser(ToolCallFormat.HERMES), false);
        assertThat(s.accept("1 <")).isEqualTo("1 ");
        assertThat(s.accept("tool")).isEmpty();
        assertThat(s.accept("s> 2")).isEqualTo("<tools> 2");
        ToolCallStream.Result r = s.finish();
        assertThat(r.reply().hasCalls()).isFalse();
        assertThat(r.unsentContent()).isEmpty();
    }

    @Test
    void aMalformedCallIsSentAsTextAtTheEnd() {
        ToolCallStream s = new ToolCallStream(new ToolCallParser(ToolCallFormat.HERMES), false);
        String sent = feed(s, List.of("A <tool_call>{\"name\": oops", "</tool_call>"));
        ToolCallStream.Result r = s.finish();
        assertThat(r.reply().hasCalls()).isFalse();
        assertThat(sent + r.unsentContent()).isEqualTo("A <tool_call>{\"name\": oops</tool_call>");
    }

    @Test
    void forcedChoiceHoldsEverything() {
        ToolCallStream s = new ToolCallStream(new ToolCallParser(ToolCallFormat.LLAMA3), true);
        assertThat(feed(s, List.of("{\"name\": \"f\", ", "\"parameters\": {}}"))).isEmpty();
        assertThat(s.finish().reply().calls()).extracting(c -> c.name()).containsExactly("f");
    }

    @Test
    void llamaJsonTriggerInTheMiddleOfText() {
        ToolCallStream s = new ToolCallStream(new ToolCallParser(ToolCallFormat.LLAMA3), false);
        String sent = feed(s, List.of("x = {", "\"name\": 1}"));
        assertThat(sent).isEqualTo("x = ");
        ToolCallStream.Result r = s.finish();
        assertThat(r.reply().hasCalls()).isFalse(); // Llama calls are the whole reply: this is text
        assertThat(sent + r.unsentContent()).isEqualTo("x = {\"name\": 1}");
    }
}
