package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code winnow bench --schema FILE}: the constrained-decoding cost table, and clear errors for bad schema files. */
class SchemaBenchTest {
    @TempDir
    Path dir;

    @Test
    void tableWithCompileAndMaskTimes() throws Exception {
        Path schema = Files.writeString(dir.resolve("pet.json"),
                "{\"type\":\"object\",\"properties\":{\"kind\":{\"enum\":[\"cat\",\"dog\"]},\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":30}},\"required\":[\"kind\",\"age\"]}");
        Cli.Result r = Cli.run("bench", "-m", SharedData.stories(), "--schema", schema.toString(), "-n", "12", "-r", "2", "--no-warmup");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("vocabulary 512 tokens \\(byte trie built in \\d+ ms")
                .contains("| schema | compile ms | tokens | forward ms/tok | grammar cold ms/tok | grammar warm ms/tok | cold / forward | warm / forward |")
                .containsPattern("(?m)^\\| pet\\.json \\| [\\d.]+ \\| \\d+ \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ % \\| [\\d.]+ % \\|$");
        assertThat(r.err()).contains("pet.json run 1/2").contains("pet.json run 2/2");
    }

    @Test
    void missingFileIsNamed() {
        Cli.Result r = Cli.run("bench", "-m", SharedData.stories(), "--schema", dir.resolve("nope.json").toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("nope.json: no such file (--schema)").doesNotContain("Exception");
    }

    @Test
    void unsupportedSchemaIsNamed() throws Exception {
        Path schema = Files.writeString(dir.resolve("bad.json"), "{\"type\":\"array\",\"uniqueItems\":true}");
        Cli.Result r = Cli.run("bench", "-m", SharedData.stories(), "--schema", schema.toString());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("bad.json: unsupported JSON Schema feature 'uniqueItems' at #").doesNotContain("Exception");
    }
}
