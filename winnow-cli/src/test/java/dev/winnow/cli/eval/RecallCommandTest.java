package dev.winnow.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code winnow eval recall} on recall-mqar.gguf and the reference sequences, its help and its errors. */
class RecallCommandTest {
    @TempDir
    Path dir;

    @Test
    void fullAnswersEveryQueryAndAWindowOf128AlmostNone() {
        Path model = EvalCli.shared("models/recall-mqar.gguf");
        Path examples = EvalCli.shared("reference/recall-examples.json");
        EvalCli.Result r = EvalCli.run("eval", "recall", "-m", model, "--kv", "full", "--kv", "window:budget=128", "--examples",
                examples, "-t", "1");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("## recall — recall-mqar").contains("| `full` | - | 100.0% | 20 | 640 |")
                .contains("| `window:budget=128` | budget=128 |");
        EvalCli.Result aware = EvalCli.run("eval", "sweep", "--task", "recall", "--protocol", "aware", "-m", model, "--kv", "full",
                "--sequences", "2", "-t", "1", "-o", dir.resolve("r.jsonl"));
        assertThat(aware.exit()).as(aware.err()).isZero();
        assertThat(aware.out()).contains("## recall-aware — recall-mqar").contains("| `full` | - | 100.0% | 2 | 64 |");
    }

    @Test
    void helpNamesTheOptions() {
        EvalCli.Result help = EvalCli.run("eval", "recall", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("--protocol=agnostic|aware").contains("--sequences=N").contains("--examples=FILE")
                .doesNotContain("--depths");
    }

    @Test
    void errorsNameTheFileFieldOrValue() throws IOException {
        Path model = EvalCli.shared("models/recall-mqar.gguf");
        Path missing = dir.resolve("none.json");
        EvalCli.Result r = EvalCli.run("eval", "recall", "-m", model, "--examples", missing);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().asString().isEqualTo("winnow: " + missing + ": no such file");

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"sequences\": [{\"tokens\": [1, 5, 6], \"query_position\": [1], \"expected\": [6]}]}");
        assertThat(EvalCli.run("eval", "recall", "-m", model, "--examples", bad).errLines()).singleElement().asString()
                .isEqualTo("winnow: " + bad + ": sequences[0]: missing field 'query_positions' "
                        + "(each sequence needs tokens, query_positions, expected)");

        assertThat(EvalCli.run("eval", "recall", "-m", model, "--protocol", "both").errLines()).singleElement().asString()
                .isEqualTo("winnow: unknown recall protocol 'both'; valid: agnostic, aware");
        assertThat(EvalCli.run("eval", "recall", "-m", model, "--sequences", "0").errLines()).singleElement().asString()
                .isEqualTo("winnow: recall: sequences must be >= 1, got 0");
        assertThat(EvalCli.run("eval", "recall", "-m", model, "--sequences", "3", "--examples", bad).errLines()).singleElement()
                .asString().isEqualTo("winnow: recall: give --sequences or --examples, not both");
        assertThat(EvalCli.run("eval", "sweep", "-m", model, "--task", "fidelity", "--protocol", "aware").errLines()).singleElement()
                .asString().isEqualTo("winnow: option --protocol (recall) does not apply to the fidelity task");
        assertThat(EvalCli.run("eval", "recall", "-m", dir.resolve("no.gguf"), "--kv", "full").errLines()).singleElement()
                .asString().endsWith("no.gguf: no such file");
    }
}
