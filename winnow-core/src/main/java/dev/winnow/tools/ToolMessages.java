package dev.winnow.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Conversation messages that carry tool calls and their results, as the dicts chat templates
 * read (the shape Hugging Face documents): an assistant message with {@code tool_calls} (each
 * {@code {"id", "type": "function", "function": {"name", "arguments"}}}, arguments as an object)
 * and a {@code tool} message with {@code tool_call_id}, {@code name} and {@code content}.
 */
public final class ToolMessages {
    private ToolMessages() {
    }

    /** An assistant turn that made calls ({@code content} may be null). */
    public static Map<String, Object> assistant(String content, List<ToolCall> calls) {
        List<Object> list = new ArrayList<>();
        for (ToolCall c : calls) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("name", c.name());
            Object args = JsonValues.tryParse(c.arguments());
            f.put("arguments", args instanceof Map<?, ?> ? JsonValues.plain(args) : c.arguments());
            Map<String, Object> call = new LinkedHashMap<>();
            call.put("id", c.id());
            call.put("type", "function");
            call.put("function", f);
            list.add(call);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", "assistant");
        m.put("content", content);
        m.put("tool_calls", list);
        return m;
    }

    /** A tool's result ({@code name} may be null when unknown). */
    public static Map<String, Object> result(String toolCallId, String name, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", "tool");
        m.put("tool_call_id", toolCallId);
        if (name != null) m.put("name", name);
        m.put("content", content);
        return m;
    }

    /** A plain message. */
    public static Map<String, Object> text(String role, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }

    /** The messages with every call's object arguments written as JSON text (OpenAI's wire form). */
    static List<Map<String, Object>> withStringArguments(List<? extends Map<String, ?>> messages) {
        List<Map<String, Object>> out = new ArrayList<>(messages.size());
        for (Map<String, ?> m : messages) {
            Map<String, Object> copy = new LinkedHashMap<>(m);
            if (m.get("tool_calls") instanceof List<?> calls) {
                List<Object> converted = new ArrayList<>();
                for (Object c : calls) {
                    if (c instanceof Map<?, ?> cm && cm.get("function") instanceof Map<?, ?> f && !(f.get("arguments") instanceof String)) {
                        Map<String, Object> nf = new LinkedHashMap<>();
                        f.forEach((k, v) -> nf.put(String.valueOf(k), v));
                        nf.put("arguments", pythonJson(f.get("arguments")));
                        Map<String, Object> nc = new LinkedHashMap<>();
                        cm.forEach((k, v) -> nc.put(String.valueOf(k), v));
                        nc.put("function", nf);
                        converted.add(nc);
                    } else {
                        converted.add(c);
                    }
                }
                copy.put("tool_calls", converted);
            }
            out.add(copy);
        }
        return out;
    }

    static boolean hasToolCalls(List<? extends Map<String, ?>> messages) {
        for (Map<String, ?> m : messages) if (m.get("tool_calls") instanceof List<?> l && !l.isEmpty()) return true;
        return false;
    }

    /** JSON as Python's {@code json.dumps} writes it by default ({@code ", "} and {@code ": "}), as HF clients send arguments. */
    static String pythonJson(Object value) {
        return ToolPrompt.json(value, false);
    }
}
