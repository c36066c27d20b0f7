package dev.winnow.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Fuzzing finding: an error quoting a request field (a role) carried its control characters raw. */
class ApiExceptionTest {
    @Test
    void quotedRequestFieldsAreEscapedInTheMessage() {
        ApiException e = ApiException.invalid("messages[0].role", "messages[0].role 'u\u0001s\u001b[2Jer' is not one of [user]");
        assertThat(e.getMessage()).isEqualTo("messages[0].role 'u\\x01s\\x1b[2Jer' is not one of [user]");
        assertThat(e.param()).isEqualTo("messages[0].role");
    }
}
