package dev.winnow.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.model.Model;
import dev.winnow.template.ChatTemplate;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The server's request parsing, from raw body bytes to a {@link GenerationRequest}: the JSON
 * reader with its limits, then {@link RequestParser} for chat (first byte even) or completion
 * (odd) over stories260K and the ChatML template. The only allowed failure is an
 * {@link ApiException} with a one-line message (it becomes the OpenAI error object); anything
 * else would be a 500.
 */
class RequestParserFuzzTest {
    private static Model model;
    private static RequestParser parser;

    private static synchronized RequestParser parser() {
        if (parser == null) {
            model = Model.load(TestServer.stories());
            parser = new RequestParser(model, ChatTemplate.chatml(), ServerConfig.defaults(256));
        }
        return parser;
    }

    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "3s")
    void parse(byte[] input) {
        if (input.length == 0) return;
        RequestParser p = parser();
        boolean chat = (input[0] & 1) == 0;
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        try {
            JsonNode json = Json.parse(body);
            if (chat) p.chat(json);
            else p.completion(json);
        } catch (ApiException e) {
            String m = e.getMessage();
            if (m == null || m.isBlank() || m.length() > 2_000 || m.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new AssertionError("not a one-line message: " + m, e);
            }
            if (e.status() < 400 || e.status() > 499) throw new AssertionError("status " + e.status() + ": " + m, e);
        }
    }
}
