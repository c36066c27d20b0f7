package dev.winnow.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamingDecoderTest {
    private static final String MIXED = "Hello 🦙 world! 世界 ½ 😶\u200d🌫️ Führer ✅ កាន់តែ\n\tend 🚀";

    @Test
    void multiByteCharactersSplitAcrossByteTokensAreEmittedWhole() {
        SentencePieceTokenizer tok = TokenizerTestSupport.spm(TokenizerTestSupport.LLAMA_SPM);
        int[] ids = tok.encode(MIXED, true, false);
        // the emoji fall back to byte tokens, so characters really are split across tokens
        assertThat(java.util.Arrays.stream(ids).filter(tok::isByte).count()).isGreaterThan(8);

        StreamingDecoder dec = tok.streamingDecoder();
        StringBuilder sb = new StringBuilder();
        List<String> chunks = new ArrayList<>();
        for (int id : ids) {
            String s = dec.push(id);
            assertThat(s).as("chunk after token %d (%s)", id, tok.tokenText(id)).doesNotContain("\uFFFD");
            assertThat(s.isEmpty() || !Character.isHighSurrogate(s.charAt(s.length() - 1))).isTrue();
            chunks.add(s);
            sb.append(s);
        }
        String rest = dec.flush();
        assertThat(rest).isEmpty();
        sb.append(rest);
        assertThat(sb.toString()).isEqualTo(tok.decode(ids)).isEqualTo(MIXED);
        // some pushes produced nothing while a character was incomplete
        assertThat(chunks).contains("");
    }

    @Test
    void leadingSpaceIsRemovedOnceWithAndWithoutBos() {
        Tokenizer tok = TokenizerTestSupport.vocab(TokenizerTestSupport.LLAMA_SPM);
        for (boolean bos : new boolean[] {true, false}) {
            int[] ids = tok.encode("Hello world", bos, false);
            StreamingDecoder dec = tok.streamingDecoder();
            StringBuilder sb = new StringBuilder();
            for (int id : ids) sb.append(dec.push(id));
            sb.append(dec.flush());
            assertThat(sb.toString()).isEqualTo("Hello world").isEqualTo(tok.decode(ids));
        }
    }

    @Test
    void continuationDecoderKeepsTheLeadingSpace() {
        Tokenizer tok = TokenizerTestSupport.vocab(TokenizerTestSupport.LLAMA_SPM);
        int[] prompt = tok.encode("Once upon a");
        int[] all = tok.encode("Once upon a time");
        int[] generated = java.util.Arrays.copyOfRange(all, prompt.length, all.length);
        StreamingDecoder dec = tok.continuationDecoder();
        StringBuilder sb = new StringBuilder();
        for (int id : generated) sb.append(dec.push(id));
        sb.append(dec.flush());
        assertThat(sb.toString()).isEqualTo(" time");
        assertThat(((SentencePieceTokenizer) tok).decode(generated, false)).isEqualTo(" time");
    }

    @Test
    void flushReturnsAnIncompleteCharacterAsReplacement() {
        SentencePieceTokenizer tok = TokenizerTestSupport.spm(TokenizerTestSupport.LLAMA_SPM);
        int[] ids = tok.encode("🦙", false, false); // ▁ <0xF0> <0x9F> <0xA6> <0x99>
        int[] partial = java.util.Arrays.copyOf(ids, ids.length - 1);
        StreamingDecoder dec = tok.streamingDecoder();
        StringBuilder sb = new StringBuilder();
        for (int id : partial) sb.append(dec.push(id));
        assertThat(sb.toString()).isEmpty();
        String rest = dec.flush();
        assertThat(rest).contains("\uFFFD");
        assertThat(sb + rest).isEqualTo(tok.decode(partial));
    }

    @Test
    void randomTokenStreamsMatchDecodeEvenWithInvalidUtf8() {
        SentencePieceTokenizer tok = TokenizerTestSupport.spm(TokenizerTestSupport.LLAMA_SPM);
        Random rnd = new Random(42);
        assertThat(tok.tokenText(3)).isEqualTo("<0x00>");
        assertThat(tok.tokenText(3 + 255)).isEqualTo("<0xFF>");
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + rnd.nextInt(40);
            int[] ids = new int[n];
            for (int i = 0; i < n; i++) {
                int r = rnd.nextInt(10);
                if (r < 6) ids[i] = 3 + rnd.nextInt(256); // byte tokens <0x00>..<0xFF>
                else if (r < 9) ids[i] = rnd.nextInt(tok.vocabSize());
                else ids[i] = rnd.nextBoolean() ? tok.bosId() : tok.eosId();
            }
            StreamingDecoder dec = tok.streamingDecoder();
            StringBuilder sb = new StringBuilder();
            for (int id : ids) sb.append(dec.push(id));
            sb.append(dec.flush());
            assertThat(sb.toString()).as("tokens %s", java.util.Arrays.toString(ids)).isEqualTo(tok.decode(ids));
        }
    }

    @Test
    void incompleteTailDetection() {
        assertThat(Utf8StreamingDecoder.incompleteTail(bytes(), 0)).isZero();
        assertThat(Utf8StreamingDecoder.incompleteTail(bytes('a'), 1)).isZero();
        assertThat(Utf8StreamingDecoder.incompleteTail(bytes(0xF0), 1)).isEqualTo(1);
        assertThat(Utf8StreamingDecoder.incompleteTail(bytes(0xF0, 0x9F), 2)).isEqualTo(2);
        assertThat(Utf8StreamingDecoder.incompleteTail(bytes(0xF0, 0x9F, 0xA6), 3)).isEqualTo(3);
        assertThat(Utf8StreamingDecoder.incompleteTail(bytes(0xF0, 0x9F, 0xA6, 0x99), 4)).isZero();
        assertThat(Utf8StreamingDecoder.incompleteTail(bytes('a', 0xE4, 0xB8), 3)).isEqualTo(2);
        assertThat(Utf8StreamingDecoder.incompleteTail(bytes(0xE0, 0x80), 2)).isZero(); // overlong: malformed now
        assertThat(Utf8StreamingDecoder.incompleteTail(bytes(0xC0), 1)).isZero();
        assertThat(Utf8StreamingDecoder.incompleteTail(bytes(0x80), 1)).isZero();
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }
}
