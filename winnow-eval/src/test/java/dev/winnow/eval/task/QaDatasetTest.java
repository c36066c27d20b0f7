package dev.winnow.eval.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.eval.EvalException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The LongBench-format JSONL reader: items, and errors that name the file and line. */
class QaDatasetTest {
    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        Path p = dir.resolve("qa.jsonl");
        Files.writeString(p, String.join("\n", lines) + "\n");
        return p;
    }

    @Test
    void readsLongBenchItems() throws IOException {
        Path p = file("{\"context\": \"Tom has a red ball.\", \"input\": \"What colour is the ball?\", \"answers\": [\"red\"], "
                        + "\"length\": 6, \"dataset\": \"toy\", \"_id\": \"a1\"}",
                "",
                "{\"context\": \"c\", \"input\": \"q\", \"answers\": \"single\"}");
        QaDataset d = QaDataset.read(p);
        assertThat(d.items()).hasSize(2);
        assertThat(d.items().get(0)).isEqualTo(new QaDataset.Item("a1", 1, "Tom has a red ball.", "What colour is the ball?", List.of("red")));
        assertThat(d.items().get(1).id()).isEqualTo("line3");
        assertThat(d.items().get(1).answers()).containsExactly("single");
        assertThat(d.sha256()).hasSize(64);
    }

    @Test
    void aMissingFieldNamesTheLine() throws IOException {
        Path p = file("{\"context\": \"c\", \"input\": \"q\", \"answers\": [\"a\"]}",
                "{\"context\": \"c\", \"answers\": [\"a\"]}");
        assertThatThrownBy(() -> QaDataset.read(p)).isInstanceOf(EvalException.class)
                .hasMessage(p + ":2: missing field 'input' (each line needs context, input, answers)");
        Path q = file("{\"context\": \"c\", \"input\": \"q\"}");
        assertThatThrownBy(() -> QaDataset.read(q)).hasMessageStartingWith(q + ":1: missing field 'answers'");
    }

    @Test
    void aMalformedLineNamesTheLine() throws IOException {
        Path p = file("{\"context\": \"c\", \"input\": \"q\", \"answers\": [\"a\"]}",
                "{\"context\": \"c\", \"input\": \"q\", \"answers\": [\"a\"]}",
                "{\"context\": \"c\", \"input\": \"q\", \"answers\": [\"a\"]");
        assertThatThrownBy(() -> QaDataset.read(p)).isInstanceOf(EvalException.class).hasMessageStartingWith(p + ":3: malformed JSON (");
        Path q = file("[1, 2]");
        assertThatThrownBy(() -> QaDataset.read(q)).hasMessage(q + ":1: expected a JSON object with context, input and answers");
        Path r = file("{\"context\": \"c\", \"input\": \"q\", \"answers\": [1]}");
        assertThatThrownBy(() -> QaDataset.read(r)).hasMessage(r + ":1: field 'answers' must be a list of strings");
        Path s = file("{\"context\": 5, \"input\": \"q\", \"answers\": [\"a\"]}");
        assertThatThrownBy(() -> QaDataset.read(s)).hasMessage(s + ":1: field 'context' must be a string");
    }

    @Test
    void emptyOrAbsentFiles() throws IOException {
        Path p = file("", "  ");
        assertThatThrownBy(() -> QaDataset.read(p)).hasMessageContaining("no items");
        assertThatThrownBy(() -> QaDataset.read(dir.resolve("nope.jsonl"))).hasMessageEndingWith("nope.jsonl: no such file");
    }
}
