package dev.winnow.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * llama.cpp's tokenizer test vectors (test-tokenizer-0): no BOS, special tokens not parsed,
 * SentencePiece space prefix applied. One dynamic test per case.
 */
class SentencePieceVectorsTest {

    @TestFactory
    Stream<DynamicNode> llamaSpm() {
        return vectors(TokenizerTestSupport.LLAMA_SPM);
    }

    @TestFactory
    Stream<DynamicNode> phi3() {
        return vectors(TokenizerTestSupport.PHI3);
    }

    private static Stream<DynamicNode> vectors(String name) {
        Tokenizer tok = TokenizerTestSupport.vocab(name);
        List<TokenizerTestSupport.Case> cases = TokenizerTestSupport.cases(name);
        return cases.stream().map(c -> DynamicContainer.dynamicContainer(c.displayName(), Stream.of(
                dynamicTest("encode", () -> assertThat(tok.encode(c.text(), false, false))
                        .as("tokens of %s", c.displayName())
                        .containsExactly(c.expected())),
                dynamicTest("decode(encode) round trip", () -> assertThat(tok.decode(tok.encode(c.text(), false, false)))
                        .isEqualTo(c.text())),
                dynamicTest("decode(expected) with BOS", () -> {
                    int[] withBos = new int[c.expected().length + 1];
                    withBos[0] = tok.bosId();
                    System.arraycopy(c.expected(), 0, withBos, 1, c.expected().length);
                    assertThat(tok.decode(withBos)).isEqualTo(c.text());
                }))));
    }

    @Test
    void vectorFilesSplitIntoTheExpectedCases() {
        List<TokenizerTestSupport.Case> cases = TokenizerTestSupport.cases(TokenizerTestSupport.LLAMA_SPM);
        assertThat(cases).hasSize(46);
        assertThat(cases.get(0).text()).isEqualTo("ied 4 ½ months");
        assertThat(cases.get(2).text()).isEmpty();
        assertThat(cases.get(2).expected()).isEmpty();
        assertThat(cases.get(3).text()).isEqualTo(" ");
        assertThat(cases.get(45).text()).startsWith("\n \n\n \n\n\n \t \t\t \t\n");
    }

    @Test
    void splitKeepsALastCaseWithoutSeparator() {
        assertThat(TokenizerTestSupport.splitCases("a" + TokenizerTestSupport.SEPARATOR + "b"))
                .containsExactly("a", "b");
        assertThat(TokenizerTestSupport.splitCases("a" + TokenizerTestSupport.SEPARATOR + TokenizerTestSupport.SEPARATOR))
                .containsExactly("a", "");
    }
}
