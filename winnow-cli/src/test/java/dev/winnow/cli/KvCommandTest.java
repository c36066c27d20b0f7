package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.kv.policy.KvPolicies;
import dev.winnow.kv.policy.PolicyInfo;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class KvCommandTest {
    @Test
    void listShowsEveryPolicyWithItsParameters() {
        Cli.Result r = Cli.run("kv", "list");
        assertThat(r.exit()).isZero();
        for (PolicyInfo p : dev.winnow.kv.codec.KvCodecs.all()) assertThat(r.out()).contains(p.name());
        for (PolicyInfo p : KvPolicies.all()) {
            assertThat(r.out()).contains(p.name());
            for (PolicyInfo.Param param : p.params()) assertThat(r.out()).contains(param.name());
        }
    }

    @Test
    void generateWithACompressionSpecHoldsTheBudgetAndPrintsStats() {
        Path model = SharedData.stories();
        Cli.Result r = Cli.run("generate", "-m", model, "--temp", "0", "-n", "80", "-p", "Once upon a time",
                "--kv", "h2o:budget=32", "--kv-stats", "-q");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isNotBlank();
        assertThat(r.err()).contains("KV cache (h2o:budget=32)").contains("32-32");
    }

    @Test
    void invalidSpecIsOneClearLine() {
        Path model = SharedData.stories();
        Cli.Result r = Cli.run("generate", "-m", model, "-p", "hi", "--kv", "snapkvv:budget=3");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines()).singleElement().asString().startsWith("winnow: ")
                .contains("unknown KV policy 'snapkvv'").contains("snapkv");
        Cli.Result bad = Cli.run("generate", "-m", model, "-p", "hi", "--kv", "h2o:budget=0");
        assertThat(bad.errLines()).singleElement().asString().contains("budget=0 must be >= 1");
    }

    @Test
    void compareWritesAMarkdownTable() {
        Path model = SharedData.stories();
        Cli.Result r = Cli.run("kv", "compare", "-m", model, "-n", "40", "--kv", "window:budget=16", "--kv", "h2o:budget=1000");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("| `full` |").contains("| `window:budget=16` | 16.0 |").contains("100.0% |");
        // held and peak side by side: the window holds 16 and peaked at 17 (a new token, then the eviction)
        assertThat(r.out()).contains("| spec | entries/head (mean) | peak entries/head (max) |")
                .contains("| `window:budget=16` | 16.0 | 17 |");
        // a budget above the sequence length compresses nothing: full agreement
        assertThat(r.out().lines().filter(l -> l.startsWith("| `h2o:budget=1000`")).findFirst().orElseThrow()).endsWith("100.0% |");
    }
}
