package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code --speculate} on {@code winnow generate} and {@code winnow bench}. */
class SpeculateCommandTest {
    private static final String PROMPT = "Lily and Tom went to the park. Lily and Tom";

    @Test
    void speculativeGreedyOutputIsPlainGreedyOutputAndTheSummarySaysHowMuchWasAccepted() {
        Path model = SharedData.stories();
        Cli.Result plain = Cli.run("generate", "-m", model, "--temp", "0", "-n", "120", "-p", PROMPT);
        for (String spec : new String[] {"lookup:n=3,k=8", "recycling:k=8,tree=default"}) {
            Cli.Result fast = Cli.run("generate", "-m", model, "--temp", "0", "-n", "120", "-p", PROMPT, "--speculate", spec);
            assertThat(fast.exit()).as(fast.err()).isZero();
            assertThat(fast.out()).isEqualTo(plain.out());
            assertThat(fast.errLines()).last().asString()
                    .matches("speculation \\(" + spec + "\\): \\d+ steps, \\d+ of \\d+ draft tokens accepted \\([\\d.]+%\\), [\\d.]+ accepted per step");
        }
    }

    @Test
    void badSpecsAndRefusedKvPoliciesAreOneLineErrors() {
        Path model = SharedData.stories();
        Cli.Result k0 = Cli.run("generate", "-m", model, "-p", PROMPT, "--speculate", "lookup:k=0");
        assertThat(k0.exit()).isNotZero();
        assertThat(k0.errLines()).containsExactly("winnow: lookup: k=0 must be >= 1");
        Cli.Result unknown = Cli.run("bench", "-m", model, "--speculate", "eagle");
        assertThat(unknown.errLines()).containsExactly("winnow: unknown drafter 'eagle'; valid: lookup, recycling, self");
        Cli.Result refused = Cli.run("generate", "-m", model, "-p", PROMPT, "--speculate", "lookup", "--kv", "snapkv:budget=64");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.errLines()).singleElement().asString()
                .startsWith("winnow: cannot speculate with lookup: KV policy 'snapkv:budget=64' evicts entries");
        Cli.Result draftCache = Cli.run("generate", "-m", model, "-p", PROMPT, "--speculate", "self:kv=kivi,k=4");
        assertThat(draftCache.exit()).isNotZero();
        assertThat(draftCache.out()).as("refused before generating").isEmpty();
        assertThat(draftCache.errLines()).singleElement().asString().startsWith("winnow: self: kv=kivi: stores keys/values as kivi");
    }

    @Test
    void benchReportsAcceptanceGainAndVerifyCostAsJson() throws Exception {
        Path model = SharedData.stories();
        Cli.Result r = Cli.run("bench", "-m", model, "-n", "24", "-r", "1", "--no-warmup", "-t", "1", "--speculate",
                "recycling:k=4,tree=4/2/1", "--verify-cost", "2,4", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        JsonNode row = j.get("speculative").get(0);
        assertThat(row.get("drafter").asText()).isEqualTo("recycling:k=4,tree=4/2/1");
        assertThat(row.get("identical_output").asBoolean()).isTrue();
        assertThat(row.get("plain_ts").asDouble()).isPositive();
        assertThat(row.get("speculative_ts").asDouble()).isPositive();
        assertThat(row.get("steps").asLong()).isPositive().isLessThanOrEqualTo(4 * 24);
        assertThat(row.get("accepted_per_step").asDouble()).isBetween(0.0, 7.0);
        assertThat(j.get("verify_cost")).hasSize(2);
        assertThat(j.get("verify_cost").get(1).get("k").asInt()).isEqualTo(4);
        assertThat(j.get("verify_cost").get(1).get("verify_ms").asDouble()).isPositive();
    }

    /** With -d, each prompt follows that many random tokens: speculation at depth, output still identical. */
    @Test
    void benchSpeculatesAtADepth() throws Exception {
        Path model = SharedData.stories();
        Cli.Result r = Cli.run("bench", "-m", model, "-n", "8", "-d", "100", "-r", "1", "--no-warmup", "-t", "1",
                "--speculate", "self:kv=streaming:sinks=4;window=16,k=2", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode row = new ObjectMapper().readTree(r.out()).get("speculative").get(0);
        assertThat(row.get("identical_output").asBoolean()).isTrue();
        // 4 prompts × 8 tokens: each step decides at least one token, and the plain runs decoded all 32
        assertThat(row.get("steps").asLong()).isPositive().isLessThanOrEqualTo(32);
        assertThat(row.get("plain_ts").asDouble()).isPositive();
    }
}
