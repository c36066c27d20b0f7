package dev.winnow.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code winnow eval tables}: the docs' results tables are what their committed result files
 * give (the CI check), and the marker machinery on a hand-made project.
 */
class TablesCommandTest {
    /** The project root: the parent of this module. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void committedDocsMatchTheirResultFiles() throws IOException {
        String all = Files.readString(ROOT.resolve("README.md")) + Files.readString(ROOT.resolve("docs/evaluation.md"))
                + Files.readString(ROOT.resolve("docs/kv-compression.md"));
        // the docs do mark their results tables and reports (a check over nothing would pass)
        assertThat(all.split("<!-- table:", -1).length - 1).isGreaterThanOrEqualTo(6);
        assertThat(all.split("<!-- report:", -1).length - 1).isGreaterThanOrEqualTo(2);
        EvalCli.Result r = EvalCli.run("eval", "tables", "--check", "--root", ROOT);
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("docs are up to date");
    }

    private static final String CELL = "{\"winnow\":\"x\",\"time\":\"t\",\"cell\":\"%s\",\"model\":{\"name\":\"m\",\"file\":\"m.gguf\","
            + "\"sha256\":\"0\",\"bytes\":1},\"task\":\"recall\",\"task_params\":{},\"spec\":\"%s\",\"base_spec\":\"%s\",\"policy\":\"%s\"%s,"
            + "\"seed\":0,\"batch\":1,\"threads\":1,\"metrics\":{\"accuracy\":%s},\"headline\":[\"accuracy\"],"
            + "\"kv\":{\"bytes\":%d,\"bytes_allocated\":%d,\"peak_entries\":%d,\"entries_per_head\":%s,\"compression_ratio\":0.5},"
            + "\"speed\":{\"prefill_tokens_per_second\":1,\"decode_tokens_per_second\":1,\"prefill_tokens\":1,\"decode_tokens\":1,"
            + "\"wall_seconds\":1}}";

    private static String cell(String id, String spec, String base, Integer budget, double acc, int peak, double held) {
        return CELL.formatted(id, spec, base, base, budget == null ? "" : ",\"budget\":" + budget, acc, 2048L, 2048L, peak, held);
    }

    private static Path project(Path dir, String doc) throws IOException {
        Files.createDirectories(dir.resolve("docs/results"));
        Files.writeString(dir.resolve("docs/results/r.jsonl"), String.join("\n",
                cell("a", "full", "full", null, 1.0, 512, 512),
                cell("b", "h2o:budget=64", "h2o", 64, 0.596, 65, 64),
                cell("c", "h2o:budget=128", "h2o", 128, 0.968, 129, 128)) + "\n");
        Files.writeString(dir.resolve("docs/x.md"), doc);
        return dir;
    }

    @Test
    void regeneratesATableBetweenItsMarkersAndChecksIt(@TempDir Path dir) throws IOException {
        String doc = "# x\nbefore\n<!-- table: recall docs/results/r.jsonl at=64 -->\n| stale |\n<!-- end table -->\nafter\n";
        project(dir, doc);
        EvalCli.Result stale = EvalCli.run("eval", "tables", "--check", "--root", dir);
        assertThat(stale.exit()).isEqualTo(1);
        assertThat(stale.out()).contains("docs/x.md: table 1 (<!-- table: recall docs/results/r.jsonl at=64 -->) differs");

        EvalCli.Result w = EvalCli.run("eval", "tables", "--root", dir);
        assertThat(w.exit()).as(w.err()).isZero();
        assertThat(Files.readString(dir.resolve("docs/x.md"))).isEqualTo("""
                # x
                before
                <!-- table: recall docs/results/r.jsonl at=64 -->
                | spec | 64 | 128 | entries/head held / peak at 64 | KV KiB at 64 |
                |---|---:|---:|---:|---:|
                | `full` | 100.0 |  | 512.0 / 512 | 2 |
                | `h2o` | 59.6 | 96.8 | 64.0 / 65 | 2 |
                <!-- end table -->
                after
                """);
        assertThat(EvalCli.run("eval", "tables", "--check", "--root", dir).exit()).isZero();
        // nothing outside the markers changes, and a second run changes nothing
        assertThat(EvalCli.run("eval", "tables", "--root", dir).out()).contains("nothing changed");
    }

    @Test
    void badMarkersAreOneLineErrorsNamingTheFileAndLine(@TempDir Path dir) throws IOException {
        project(dir, "a\n<!-- table: recall docs/results/r.jsonl -->\n| x |\n");
        EvalCli.Result r = EvalCli.run("eval", "tables", "--root", dir);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().asString().contains("docs/x.md:2").contains("has no '<!-- end table -->'");

        project(dir, "<!-- table: nosuch docs/results/r.jsonl -->\n<!-- end table -->\n");
        assertThat(EvalCli.run("eval", "tables", "--root", dir).errLines()).singleElement().asString()
                .contains("docs/x.md:1").contains("unknown table kind 'nosuch'").contains("fidelity");

        project(dir, "<!-- table: recall docs/results/missing.jsonl -->\n<!-- end table -->\n");
        assertThat(EvalCli.run("eval", "tables", "--root", dir).errLines()).singleElement().asString()
                .contains("docs/x.md:1").contains("missing.jsonl does not exist");

        assertThat(EvalCli.run("eval", "tables", "--root", dir.resolve("docs")).errLines()).singleElement().asString()
                .contains("no docs/ directory");
    }

    @Test
    void compareRowsShowHeldAndPeakAndNoTiming(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("docs"));
        Files.writeString(dir.resolve("docs/c.jsonl"), String.join("\n", List.of(
                "{\"spec\":\"full\",\"entries_per_head\":516,\"peak_entries\":516,\"read_per_step\":258,\"kv_bytes\":990720,"
                        + "\"kv_bytes_allocated\":990720,\"bits_per_value\":32,\"top1\":1.0,\"decode_tokens_per_second\":3507}",
                "{\"spec\":\"snapkv:budget=32,window=8,trigger=decode\",\"entries_per_head\":34,\"peak_entries\":40,\"read_per_step\":33,"
                        + "\"kv_bytes\":65280,\"kv_bytes_allocated\":70000,\"bits_per_value\":32,\"top1\":0.92,\"decode_tokens_per_second\":2245}",
                "{\"spec\":\"quest:budget=32\",\"entries_per_head\":261,\"peak_entries\":516,\"read_per_step\":25.6,\"kv_bytes\":500000,"
                        + "\"kv_bytes_allocated\":500000,\"bits_per_value\":32,\"top1\":0.889,\"decode_tokens_per_second\":1000}")) + "\n");
        Files.writeString(dir.resolve("docs/x.md"), "<!-- table: compare docs/c.jsonl rows=eviction -->\n<!-- end table -->\n"
                + "<!-- table: compare-sparse docs/c.jsonl -->\n<!-- end table -->\n");
        assertThat(EvalCli.run("eval", "tables", "--root", dir).exit()).isZero();
        assertThat(Files.readString(dir.resolve("docs/x.md"))).isEqualTo("""
                <!-- table: compare docs/c.jsonl rows=eviction -->
                | spec | entries/head (held) | peak entries/head | KV bytes | bits/number | top-1 agreement |
                |---|---:|---:|---:|---:|---:|
                | `full` | 516.0 | 516 | 967.50 KiB | 32.00 | 100.0 % |
                | `snapkv:budget=32,window=8,trigger=decode` | 34.0 | 40 | 63.75 KiB | 32.00 | 92.0 % |
                <!-- end table -->
                <!-- table: compare-sparse docs/c.jsonl -->
                | budget | quest | best eviction, same budget (held / peak) |
                |---|---|---|
                | 32 | 88.9% (read 25.6) | snapkv 92.0% (34 / 40) |
                <!-- end table -->
                """);
    }
}
