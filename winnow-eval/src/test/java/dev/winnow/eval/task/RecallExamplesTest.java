package dev.winnow.eval.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.eval.EvalException;
import dev.winnow.eval.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading recall sequences from JSON: the reference file, and errors naming the file and field. */
class RecallExamplesTest {
    @TempDir
    Path dir;

    @Test
    void readsTheReferenceFile() {
        RecallExamples ex = RecallExamples.read(SharedData.path("reference/recall-examples.json"));
        assertThat(ex.sequences()).hasSize(20);
        RecallSequence first = ex.sequences().getFirst();
        assertThat(first.tokens()).startsWith(1, 12, 291, 131, 204);
        assertThat(first.expected()).startsWith(266, 235, 201);
        assertThat(ex.id()).startsWith("recall-examples.json@").hasSize("recall-examples.json@".length() + 12);
    }

    private Path write(String json) throws IOException {
        Path p = dir.resolve("r.json");
        Files.writeString(p, json);
        return p;
    }

    private void fails(String json, String... parts) throws IOException {
        Path p = write(json);
        assertThatThrownBy(() -> RecallExamples.read(p)).isInstanceOf(EvalException.class).hasMessageStartingWith(p + ": ")
                .hasMessageContainingAll(parts);
    }

    @Test
    void errorsNameTheFileAndTheField() throws IOException {
        assertThatThrownBy(() -> RecallExamples.read(dir.resolve("none.json"))).isInstanceOf(EvalException.class)
                .hasMessage(dir.resolve("none.json") + ": no such file");
        fails("{\"sequences\": [", "malformed JSON at line 1");
        fails("[1, 2]", "expected a JSON object with a 'sequences' list");
        fails("{\"seqs\": []}", "missing field 'sequences'");
        fails("{\"sequences\": {}}", "field 'sequences' must be a list, got an object");
        fails("{\"sequences\": [{\"tokens\": [1, 5, 6, 7], \"expected\": [6]}]}",
                "sequences[0]: missing field 'query_positions'");
        fails("{\"sequences\": [{\"tokens\": [1, 5, 6], \"query_positions\": [1], \"expected\": [6]},"
                + " {\"tokens\": [1, \"x\", 6], \"query_positions\": [1], \"expected\": [6]}]}", "sequences[1].tokens[1]: expected an integer, got \"x\"");
        fails("{\"sequences\": [{\"tokens\": [1, 5, 6], \"query_positions\": 1, \"expected\": [6]}]}",
                "sequences[0].query_positions: expected a list of integers, got a number");
        fails("{\"sequences\": [{\"tokens\": [1, 5, 6], \"query_positions\": [1], \"expected\": [6, 7]}]}",
                "sequences[0]: 'query_positions' has 1 entries but 'expected' has 2");
        fails("{\"sequences\": [{\"tokens\": [1, 5, 6], \"query_positions\": [2], \"expected\": [6]}]}",
                "sequences[0].query_positions[0]: 2 is outside 1..1");
        fails("{\"sequences\": [{\"tokens\": [1, 5, 6, 7, 8], \"query_positions\": [3, 1], \"expected\": [8, 6]}]}",
                "sequences[0].query_positions[1]: 1 does not come after 3");
    }
}
