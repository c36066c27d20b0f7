package dev.winnow.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8StreamingDecoderTest {
    /** Bytes that make UTF-8 interesting: ASCII, continuations, every kind of lead, invalid leads. */
    private static final int[] BYTES = {'a', ' ', 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
            0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF8, 0xFF};

    @Test
    void byteByByteStreamingEqualsDecodingAtOnce() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 50_000; trial++) {
            byte[] bytes = new byte[1 + rnd.nextInt(8)];
            for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) BYTES[rnd.nextInt(BYTES.length)];
            Utf8StreamingDecoder dec = new Utf8StreamingDecoder((id, out) -> out.add(new byte[] {(byte) id}));
            StringBuilder sb = new StringBuilder();
            for (byte b : bytes) sb.append(dec.push(b & 0xFF));
            sb.append(dec.flush());
            assertThat(sb.toString()).as("bytes %s", HexFormat.ofDelimiter(" ").formatHex(bytes))
                    .isEqualTo(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    @Test
    void anEncodedSurrogateStaysPendingUntilItIsOneReplacement() {
        assertThat(Utf8StreamingDecoder.incompleteTail(new byte[] {(byte) 0xED, (byte) 0xA0}, 2)).isEqualTo(2);
        assertThat(new String(new byte[] {(byte) 0xED, (byte) 0xAD, (byte) 0x87}, StandardCharsets.UTF_8))
                .isEqualTo("\uFFFD");
    }
}
