package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Session;
import dev.winnow.model.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
    private static final String PROMPT = "Once upon a time";

    @Test
    void greedyGenerationPrintsTextAndASummary() {
        Path model = SharedData.stories();
        Cli.Result r = Cli.run("generate", "-m", model, "--temp", "0", "-n", "20", "-p", PROMPT);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isNotBlank();
        assertThat(r.errLines()).singleElement().asString()
                .matches("prompt: 5 tokens, [\\d.]+ tok/s \\| generated: 20 tokens, [\\d.]+ tok/s \\| stop: max tokens \\(-n 20\\)");
    }

    @Test
    void sameSeedSameOutput() {
        Path model = SharedData.stories();
        Cli.Result a = Cli.run("generate", "-m", model, "--seed", "42", "--temp", "0.9", "-n", "30", "-p", PROMPT, "-q");
        Cli.Result b = Cli.run("generate", "-m", model, "--seed", "42", "--temp", "0.9", "-n", "30", "-p", PROMPT, "-q");
        assertThat(a.exit()).isZero();
        assertThat(a.out()).isNotBlank().isEqualTo(b.out());
        assertThat(a.err()).isEmpty(); // -q: no summary
    }

    @Test
    void defaultCacheIsHalfPrecisionAndHelpSaysSo() {
        assertThat(dev.winnow.kv.policy.KvSpec.DEFAULT.toString()).isEqualTo("f16");
        for (String cmd : new String[] {"generate", "chat", "bench"}) {
            Cli.Result h = Cli.run(cmd, "--help");
            assertThat(h.out().replaceAll("\\s+", " ")).as(cmd)
                    .contains("(default: f16: every entry kept in half precision")
                    .contains("'full' keeps f32");
        }
    }

    @Test
    void greedyOutputEqualsTheJavaApi() {
        Path model = SharedData.stories();
        StringBuilder expected = new StringBuilder();
        try (Model m = Model.load(model)) {
            Session s = new Session(m, Math.min(m.config().contextLength(), GenerateCommand.DEFAULT_MAX_CONTEXT),
                    Session.DEFAULT_BATCH, dev.winnow.kv.policy.KvSpec.DEFAULT.newPolicy());
            s.generate(PROMPT, GenerationParams.greedy(40), expected::append);
        }
        assertThat(expected).isNotEmpty();
        if (expected.charAt(expected.length() - 1) != '\n') expected.append('\n');
        Cli.Result r = Cli.run("generate", "-m", model, "--temp", "0", "-n", "40", "-p", PROMPT, "-t", "1");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(expected.toString());
    }

    @Test
    void promptFileEchoStopAndVerbose(@TempDir Path dir) throws Exception {
        Path model = SharedData.stories();
        Path prompt = dir.resolve("prompt.txt");
        Files.writeString(prompt, PROMPT);
        Cli.Result greedy = Cli.run("generate", "-m", model, "--temp", "0", "-n", "40", "--prompt-file", prompt, "-q");
        assertThat(greedy.exit()).isZero();
        String text = greedy.out().strip();
        String stop = text.substring(10, 14);

        Cli.Result r = Cli.run("generate", "-m", model, "--temp", "0", "-n", "40", "--prompt-file", prompt, "--echo",
                "--stop", stop, "--verbose", "--seed", "7");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith(PROMPT).doesNotContain(stop);
        assertThat(r.err()).contains("seed 7").contains("stop: stop string");
    }

    @Test
    void noBosChangesThePrompt() {
        Path model = SharedData.stories();
        Cli.Result r = Cli.run("generate", "-m", model, "--temp", "0", "-n", "4", "-p", PROMPT, "--no-bos");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).contains("prompt: 4 tokens");
    }
}
