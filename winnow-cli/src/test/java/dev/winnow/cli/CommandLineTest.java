package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommandLineTest {
    @Test
    void helpListsTheCommands() {
        Cli.Result r = Cli.run("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Usage: winnow").contains("generate").contains("inspect").contains("tokenize")
                .contains("bench").contains("synth");
    }

    @Test
    void versionComesFromTheBuild() {
        Cli.Result r = Cli.run("--version");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("winnow ").doesNotContain("${project.version}");
        assertThat(r.out().lines().findFirst().orElseThrow()).matches("winnow \\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void everyCommandHasHelp() {
        for (String c : new String[] {"generate", "inspect", "tokenize", "bench", "synth"}) {
            Cli.Result r = Cli.run(c, "--help");
            assertThat(r.exit()).as(c).isZero();
            assertThat(r.out()).as(c).contains("Usage: winnow " + c);
        }
        assertThat(Cli.run("generate", "--help").out()).contains("4096");
    }

    @Test
    void usageErrorsAreOneLineWithExitCode2() {
        Cli.Result r = Cli.run("generate", "-m", "x.gguf", "--no-such-option");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().startsWith("winnow: ").contains("--no-such-option");

        r = Cli.run("generate", "-p", "hi");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().startsWith("winnow: ").contains("--model");

        r = Cli.run("generate", "-m", "x.gguf", "--temp", "hot");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().startsWith("winnow: ").contains("--temp").contains("hot");

        r = Cli.run("frobnicate");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.errLines()).singleElement().asString().startsWith("winnow: ").contains("frobnicate");
    }
}
