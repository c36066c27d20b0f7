package dev.winnow.kv.policy;

import static dev.winnow.kv.policy.TinyCaches.positions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.SharedData;
import dev.winnow.gguf.GgufFile;
import dev.winnow.kv.KvCache;
import dev.winnow.tokenizer.Tokenizer;
import dev.winnow.tokenizer.Tokenizers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SepLlmPolicyTest {
    static Tokenizer tok;
    // 35 tokens; separators at 6 ".", 12 ",", 21 "!", 25 ",", 29 "." and 30 "\n".
    static final String TEXT = "Lily went out. She saw a cat, a dog and a bird! \"Hi,\" she said.\nThe end";
    static int[] ids;

    @BeforeAll
    static void load() {
        try (GgufFile f = GgufFile.open(SharedData.path("models/stories260K.gguf"))) {
            tok = Tokenizers.fromGguf(f);
        }
        ids = tok.encode(TEXT);
    }

    @Test
    void theTextTokenizesAsTheTestsExpect() {
        assertThat(ids).hasSize(35);
        assertThat(tok.decode(new int[] {ids[6]})).isEqualTo(".");
        assertThat(tok.decode(new int[] {ids[12]})).isEqualTo(",");
        assertThat(tok.decode(new int[] {ids[21]})).isEqualTo("!");
        assertThat(tok.decode(new int[] {ids[30]})).isEqualTo("\n");
    }

    @Test
    void separatorsAreFoundFromTheVocabulary() {
        assertThat(SepLlmPolicy.isSeparatorText(".")).isTrue();
        assertThat(SepLlmPolicy.isSeparatorText(" ,")).isTrue();
        assertThat(SepLlmPolicy.isSeparatorText("\n")).isTrue();
        assertThat(SepLlmPolicy.isSeparatorText("?!")).isTrue();
        assertThat(SepLlmPolicy.isSeparatorText("。")).isTrue();
        assertThat(SepLlmPolicy.isSeparatorText("")).isFalse();
        assertThat(SepLlmPolicy.isSeparatorText(" ")).isFalse();
        assertThat(SepLlmPolicy.isSeparatorText(".a")).isFalse();
        assertThat(SepLlmPolicy.isSeparatorText("\"")).isFalse();
        SepLlmPolicy p = (SepLlmPolicy) KvSpec.parse("sepllm").newPolicy();
        boolean[] sep = p.separatorsOf(tok);
        int count = 0;
        for (boolean b : sep) if (b) count++;
        // stories260K: . , ! ? : ; as pieces and as byte tokens, plus the tab, LF and CR bytes.
        assertThat(count).isEqualTo(15);
        for (int i : new int[] {6, 12, 21, 25, 29, 30}) assertThat(sep[ids[i]]).as("token %d", i).isTrue();
        for (int i : new int[] {0, 1, 5, 22, 26, 31}) assertThat(sep[ids[i]]).as("token %d", i).isFalse();
        assertThat(sep[tok.bosId()]).isFalse();
    }

    @Test
    void keepsSinksTheNewestSeparatorsAndTheWindow() {
        // budget 10 = 2 sinks + 4 window + 4 separators: the newest four of six.
        KvCache cache = TinyCaches.plain(2, 2, ids.length);
        PolicyContext ctx = TinyCaches.ctx(2, 2, 2, tok, null, null, ids);
        KvPolicy p = KvSpec.parse("sepllm:budget=10,sinks=2,window=4").newPolicy();
        p.attach(cache, ctx);
        p.afterPrefill(cache, ctx);
        for (int l = 0; l < 2; l++) {
            for (int h = 0; h < 2; h++) {
                assertThat(positions(cache, l, h)).containsExactly(0, 1, 21, 25, 29, 30, 31, 32, 33, 34);
            }
        }
    }

    @Test
    void roomLeftAfterTheSeparatorsGoesToTheNewestOthers() {
        // budget 14: 2 + 4 + all six separators + the two newest other entries (27, 28).
        KvCache cache = TinyCaches.plain(1, 1, ids.length);
        PolicyContext ctx = TinyCaches.ctx(1, 1, 1, tok, null, null, ids);
        KvPolicy p = KvSpec.parse("sepllm:budget=14,sinks=2,window=4").newPolicy();
        p.attach(cache, ctx);
        p.afterPrefill(cache, ctx);
        assertThat(positions(cache, 0, 0)).containsExactly(0, 1, 6, 12, 21, 25, 27, 28, 29, 30, 31, 32, 33, 34);
    }

    @Test
    void separatorsSurviveLaterCompressions() {
        // Default window budget/2 = 6: budget 12 = 4 sinks + 6 window + 2 separators.
        KvCache cache = TinyCaches.plain(1, 1, 31); // tokens 0..30
        PolicyContext ctx = TinyCaches.ctx(1, 1, 1, tok, null, null, ids);
        KvPolicy p = KvSpec.parse("sepllm:budget=12").newPolicy();
        p.attach(cache, ctx);
        p.afterPrefill(cache, ctx);
        // Window 25..30 holds two separators; the two newest before it are 21 and 12.
        assertThat(positions(cache, 0, 0)).containsExactly(0, 1, 2, 3, 12, 21, 25, 26, 27, 28, 29, 30);
        for (int t = 31; t < 35; t++) {
            cache.head(0, 0).append(new float[4], 0, new float[4], 0, t, t);
            p.afterDecode(cache, ctx);
        }
        // Window 29..34; separators 25 and 21 kept (newest first), 12 dropped.
        assertThat(positions(cache, 0, 0)).containsExactly(0, 1, 2, 3, 21, 25, 29, 30, 31, 32, 33, 34);
    }

    @Test
    void parametersAreValidated() {
        assertThatThrownBy(() -> KvSpec.parse("sepllm:budget=8,sinks=4,window=6"))
                .hasMessageContaining("sinks (4) + window (6) exceed the budget 8");
        assertThatThrownBy(() -> KvSpec.parse("sepllm:sinks=-1")).hasMessageContaining("sinks=-1 must be >= 0");
        KvPolicy p = KvSpec.parse("sepllm:budget=8").newPolicy();
        assertThatThrownBy(() -> p.attach(new KvCache(1, 1, 4), TinyCaches.ctx(1, 1, 1)))
                .hasMessageContaining("needs the model's tokenizer");
    }
}
