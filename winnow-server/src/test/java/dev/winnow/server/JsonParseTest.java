package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Fuzzing finding: Jackson quotes the bad token of a malformed body, control bytes included. */
class JsonParseTest {
    @Test
    void controlBytesOfAMalformedTokenAreEscapedInTheMessage() {
        byte[] body = "{\"messages\": [{\"type\": b\u0000\u001b[31m\"text\"}]}".getBytes(StandardCharsets.UTF_8);
        ApiException e = catchThrowableOfType(ApiException.class, () -> Json.parse(body));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).startsWith("malformed JSON in the request body: Unrecognized token 'b\\x00\\x1b'")
                .doesNotContain("\u0000").doesNotContain("\u001b");
    }

    /** Fuzzing finding: a body nested past the limit raised a NullPointerException (no location), a 500. */
    @Test
    void nestingPastTheLimitIsA400() {
        byte[] body = "[".repeat(116).getBytes(StandardCharsets.UTF_8);
        ApiException e = catchThrowableOfType(ApiException.class, () -> Json.parse(body));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).startsWith("malformed JSON in the request body: ").contains("nesting depth");
    }
}
