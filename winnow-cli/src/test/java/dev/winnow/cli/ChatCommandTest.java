package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ChatCommandTest {
    static Cli.Result chat(String stdin, Object... args) {
        InputStream old = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            return Cli.run(args);
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void twoTurnsStreamAndTheSecondProcessesOnlyNewTokens() {
        Cli.Result r = chat("Hello there\nTell me a story\n/exit\nnever read\n",
                "chat", "-m", SharedData.stories(), "--temp", "0", "-n", "12");
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> turns = r.errLines().stream().filter(l -> l.startsWith("turn ")).toList();
        assertThat(turns).hasSize(2);
        assertThat(r.err()).contains("has no chat template").contains("using ChatML");
        Matcher t1 = Pattern.compile("turn 1: prompt (\\d+) new tokens.*context (\\d+)/").matcher(turns.get(0));
        Matcher t2 = Pattern.compile("turn 2: prompt (\\d+) new tokens.*reply (\\d+) tokens.*context (\\d+)/").matcher(turns.get(1));
        assertThat(t1.find()).isTrue();
        assertThat(t2.find()).isTrue();
        int context1 = Integer.parseInt(t1.group(2));
        int prompt2 = Integer.parseInt(t2.group(1));
        // Turn 2 adds only its own tokens to the context built by turn 1.
        assertThat(Integer.parseInt(t2.group(3))).isEqualTo(context1 + prompt2 + Integer.parseInt(t2.group(2)));
        assertThat(prompt2).isLessThan(context1);
        assertThat(r.out().lines().filter(l -> !l.isBlank()).count()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void resetStartsOverAndEndOfInputEnds() {
        Cli.Result r = chat("Hello\n/reset\nHello\n", "chat", "-m", SharedData.stories(), "--temp", "0", "-n", "5");
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> turns = r.errLines().stream().filter(l -> l.startsWith("turn ")).toList();
        assertThat(turns).hasSize(2);
        assertThat(r.err()).contains("(conversation reset)");
        // After /reset the same message costs the same as the first time.
        String p1 = turns.get(0).replaceAll("turn 1: prompt (\\d+) new.*", "$1");
        String p2 = turns.get(1).replaceAll("turn 1: prompt (\\d+) new.*", "$1");
        assertThat(p2).isEqualTo(p1);
    }

    @Test
    void generateChatFormatsThePrompt() {
        Cli.Result r = Cli.run("generate", "-m", SharedData.stories(), "--chat", "--system", "Be kind", "-p", "Hi",
                "--temp", "0", "-n", "5");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("using ChatML");
        // system + user + generation prompt in ChatML is far longer than "Hi"
        assertThat(r.err()).containsPattern("prompt: [1-9]\\d+ tokens");
    }

    @Test
    void helpAndUnknownCommandsAreNotSentToTheModel() {
        Cli.Result r = chat("/help\n/frobnicate now\n/exit\n", "chat", "-m", SharedData.stories(), "--temp", "0",
                "-n", "3");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("commands: /help").contains("/reset").contains("/exit")
                .contains("unknown command /frobnicate (type /help)").doesNotContain("turn 1");
        assertThat(r.out()).isBlank();
    }
}
