package dev.winnow.generate.speculative;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.SharedData;
import dev.winnow.generate.Session;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which KV specs speculative decoding accepts, and the one-line reason for those it refuses (docs/speculative.md lists them). */
class SpeculationSupportTest {
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(SharedData.path("models/stories260K.gguf"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "f16", "bf16", "int8", "int4", "k=int8,v=f16"})
    void acceptsPoliciesThatKeepEveryEntryInPerTokenStores(String kv) {
        Session s = new Session(model, 256, 16, KvSpec.parse(kv).newPolicy());
        s.speculate(SpeculateSpec.parse("lookup"));
        assertThat(s.speculationStats()).isNotNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "h2o:budget=64|evicts entries between tokens",
            "snapkv:budget=64|evicts entries between tokens",
            "streaming:sinks=4,window=64|evicts entries between tokens",
            "tova:budget=64|evicts entries between tokens",
            "kivi|share parameters between entries",
            "quest:budget=32|selects entries per decoding step",
            "gear|share parameters between entries"})
    void refusesPoliciesWhoseStateCannotBeRolledBack(String kv, String reason) {
        Session s = new Session(model, 256, 16, KvSpec.parse(kv).newPolicy());
        assertThatThrownBy(() -> s.speculate(SpeculateSpec.parse("recycling")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot speculate with recycling: KV policy '")
                .hasMessageContaining(reason)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
