package dev.winnow.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.tools.ToolCall;
import dev.winnow.tools.ToolMessages;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code messages} of a chat request as the dicts chat templates read: role and text content,
 * assistant turns with {@code tool_calls} (arguments handed to the template as objects when they
 * are JSON), and {@code tool} results (given the called function's name, looked up by
 * {@code tool_call_id}). {@code developer} is rendered as {@code system}.
 */
final class ChatMessages {
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private ChatMessages() {
    }

    static List<Map<String, Object>> parse(JsonNode messages) {
        if (messages == null || messages.isNull()) throw ApiException.invalid("messages", "messages is required");
        if (!messages.isArray()) throw ApiException.invalid("messages", "messages must be an array of {role, content}");
        if (messages.isEmpty()) throw ApiException.invalid("messages", "messages is empty");
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, String> callNames = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String field = "messages[" + i + "]";
            if (!m.isObject()) throw ApiException.invalid(field, field + " must be an object {role, content}");
            JsonNode roleNode = m.get("role");
            if (roleNode == null || !roleNode.isTextual()) throw ApiException.invalid(field + ".role", field + ".role is required");
            String role = roleNode.asText();
            if (role.equals("function")) {
                throw ApiException.unsupported(field + ".role", field + ".role 'function' is the deprecated form; use 'tool' messages");
            }
            if (!ROLES.contains(role)) throw ApiException.invalid(field + ".role", field + ".role '" + role + "' is not one of " + ROLES);
            String content = content(m.get("content"), field + ".content");
            JsonNode calls = m.get("tool_calls");
            if (calls != null && !calls.isNull() && !calls.isEmpty()) {
                if (!role.equals("assistant")) throw ApiException.invalid(field + ".tool_calls", "only assistant messages have tool_calls");
                List<ToolCall> list = toolCalls(calls, field + ".tool_calls");
                for (ToolCall c : list) callNames.put(c.id(), c.name());
                out.add(ToolMessages.assistant(m.hasNonNull("content") ? content : null, list));
            } else if (role.equals("tool")) {
                JsonNode id = m.get("tool_call_id");
                if (id == null || !id.isTextual()) throw ApiException.invalid(field + ".tool_call_id", field + ".tool_call_id is required for a tool message");
                String name = m.path("name").isTextual() ? m.get("name").asText() : callNames.get(id.asText());
                out.add(ToolMessages.result(id.asText(), name, content));
            } else {
                out.add(ToolMessages.text(role.equals("developer") ? "system" : role, content));
            }
        }
        return out;
    }

    private static List<ToolCall> toolCalls(JsonNode calls, String field) {
        if (!calls.isArray()) throw ApiException.invalid(field, field + " must be an array");
        List<ToolCall> out = new ArrayList<>();
        for (int k = 0; k < calls.size(); k++) {
            String f = field + "[" + k + "]";
            JsonNode c = calls.get(k);
            JsonNode id = c.get("id");
            JsonNode fn = c.get("function");
            if (id == null || !id.isTextual()) throw ApiException.invalid(f + ".id", f + ".id is required");
            if (fn == null || !fn.isObject() || !fn.path("name").isTextual()) {
                throw ApiException.invalid(f + ".function", f + ".function must be {\"name\": ..., \"arguments\": \"...\"}");
            }
            JsonNode args = fn.get("arguments");
            String arguments;
            if (args == null || args.isNull()) arguments = "{}";
            else if (args.isTextual()) arguments = args.asText();
            else if (args.isObject()) arguments = args.toString();
            else throw ApiException.invalid(f + ".function.arguments", f + ".function.arguments must be a string of JSON");
            out.add(new ToolCall(id.asText(), fn.get("name").asText(), arguments));
        }
        return out;
    }

    /** A string, or an array of {@code {"type": "text", "text": …}} parts (joined). */
    static String content(JsonNode c, String field) {
        if (c == null || c.isNull()) return "";
        if (c.isTextual()) return c.asText();
        if (c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                String type = part.path("type").asText("");
                if (!type.equals("text") || !part.path("text").isTextual()) {
                    throw ApiException.unsupported(field, field + ": only text parts are supported, got type '" + type + "'");
                }
                sb.append(part.get("text").asText());
            }
            return sb.toString();
        }
        throw ApiException.invalid(field, field + " must be a string or an array of text parts");
    }
}
