package dev.winnow.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.winnow.gguf.Printable;
import java.nio.charset.StandardCharsets;

/** The server's JSON: one mapper, the OpenAI error object, bytes out. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    static {
        // Untrusted input: bound nesting and single values (the body size is bounded by the listener).
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(64).maxStringLength(8 << 20).maxNumberLength(100).build());
    }

    private Json() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static JsonNode parse(byte[] body) {
        if (body.length == 0) throw ApiException.invalid(null, "the request body is empty; expected a JSON object");
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw ApiException.invalid(null, "the request body must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            // Jackson quotes the offending token, which may hold control bytes of the body; a broken
            // limit (nesting, number length) has no location
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            throw ApiException.invalid(null, "malformed JSON in the request body: " + Printable.escape(e.getOriginalMessage())
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (java.io.IOException e) {
            throw ApiException.invalid(null, "unreadable request body: " + Printable.escape(String.valueOf(e.getMessage())));
        }
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String text(JsonNode node) {
        return new String(bytes(node), StandardCharsets.UTF_8);
    }

    /** {@code {"error": {"message", "type", "param", "code"}}}. */
    static ObjectNode error(String message, String type, String param, String code) {
        ObjectNode root = object();
        ObjectNode e = root.putObject("error");
        e.put("message", message);
        e.put("type", type);
        if (param == null) e.putNull("param"); else e.put("param", param);
        if (code == null) e.putNull("code"); else e.put("code", code);
        return root;
    }

    static ObjectNode error(ApiException e) {
        return error(e.getMessage(), e.type(), e.param(), e.code());
    }
}
