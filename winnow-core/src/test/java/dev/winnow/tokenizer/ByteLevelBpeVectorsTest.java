package dev.winnow.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * llama.cpp's tokenizer test vectors (test-tokenizer-0) for the byte-level BPE vocabularies:
 * no BOS, special tokens not parsed. One dynamic test per case.
 */
class ByteLevelBpeVectorsTest {

    @TestFactory
    Stream<DynamicNode> llamaBpe() {
        return vectors(TokenizerTestSupport.LLAMA_BPE);
    }

    @TestFactory
    Stream<DynamicNode> qwen2() {
        return vectors(TokenizerTestSupport.QWEN2);
    }

    @TestFactory
    Stream<DynamicNode> gpt2() {
        return vectors(TokenizerTestSupport.GPT2);
    }

    @TestFactory
    Stream<DynamicNode> deepseekCoder() {
        return vectors(TokenizerTestSupport.DEEPSEEK_CODER);
    }

    @TestFactory
    Stream<DynamicNode> deepseekLlm() {
        return vectors(TokenizerTestSupport.DEEPSEEK_LLM);
    }

    @TestFactory
    Stream<DynamicNode> starcoder() {
        return vectors(TokenizerTestSupport.STARCODER);
    }

    @TestFactory
    Stream<DynamicNode> falcon() {
        return vectors(TokenizerTestSupport.FALCON);
    }

    private static Stream<DynamicNode> vectors(String name) {
        Tokenizer tok = TokenizerTestSupport.vocab(name);
        List<TokenizerTestSupport.Case> cases = TokenizerTestSupport.cases(name);
        return cases.stream().map(c -> DynamicContainer.dynamicContainer(c.displayName(), Stream.of(
                dynamicTest("encode", () -> assertThat(tok.encode(c.text(), false, false))
                        .as("tokens of %s with %s", c.displayName(), name)
                        .containsExactly(c.expected())),
                dynamicTest("decode(encode) round trip", () -> assertThat(tok.decode(tok.encode(c.text(), false, false)))
                        .isEqualTo(c.text())),
                dynamicTest("decode(expected)", () -> assertThat(tok.decode(c.expected())).isEqualTo(c.text())))));
    }

    @Test
    void everyBpeVocabularyHasItsPreTokenizer() {
        assertThat(TokenizerTestSupport.bpe(TokenizerTestSupport.LLAMA_BPE).preTokenizer()).isEqualTo(PreTokenizer.LLAMA3);
        assertThat(TokenizerTestSupport.bpe(TokenizerTestSupport.QWEN2).preTokenizer()).isEqualTo(PreTokenizer.QWEN2);
        assertThat(TokenizerTestSupport.bpe(TokenizerTestSupport.GPT2).preTokenizer()).isEqualTo(PreTokenizer.GPT2);
        assertThat(TokenizerTestSupport.bpe(TokenizerTestSupport.DEEPSEEK_CODER).preTokenizer())
                .isEqualTo(PreTokenizer.DEEPSEEK_CODER);
        assertThat(TokenizerTestSupport.bpe(TokenizerTestSupport.DEEPSEEK_LLM).preTokenizer())
                .isEqualTo(PreTokenizer.DEEPSEEK_LLM);
        assertThat(TokenizerTestSupport.bpe(TokenizerTestSupport.STARCODER).preTokenizer()).isEqualTo(PreTokenizer.STARCODER);
        assertThat(TokenizerTestSupport.bpe(TokenizerTestSupport.FALCON).preTokenizer()).isEqualTo(PreTokenizer.FALCON);
        for (String name : TokenizerTestSupport.BPE_VOCABS) {
            assertThat(TokenizerTestSupport.cases(name)).as(name).hasSize(46);
        }
    }
}
