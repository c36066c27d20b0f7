package dev.winnow.tools;

import dev.winnow.grammar.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Splits a model's reply into text and {@link ToolCall}s, in one {@link ToolCallFormat}. A call
 * must be a JSON object with a string {@code name} and an object of arguments (or a string holding
 * one); when any part of the calls is malformed (bad JSON, missing name, text inside a call block),
 * the whole reply is returned as text with no calls, never a half-parsed call.
 */
public final class ToolCallParser {
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String PYTHON_TAG = "<|python_tag|>";

    /** The reply: text (maybe empty) and the calls in order (maybe none). */
    public record Reply(String content, List<ToolCall> calls) {
        public boolean hasCalls() {
            return !calls.isEmpty();
        }
    }

    private final ToolCallFormat format;
    private final RandomGenerator random;

    public ToolCallParser(ToolCallFormat format) {
        this(format, RandomGenerator.getDefault());
    }

    /** @param random draws the call ids */
    public ToolCallParser(ToolCallFormat format, RandomGenerator random) {
        this.format = Objects.requireNonNull(format, "format");
        this.random = Objects.requireNonNull(random, "random");
    }

    public ToolCallFormat format() {
        return format;
    }

    public Reply parse(String text) {
        List<ToolCall> calls = new ArrayList<>();
        String content = switch (format) {
            case HERMES -> hermes(text, calls);
            case LLAMA3 -> llama3(text, calls);
            case MISTRAL -> list(text, "[TOOL_CALLS]", true, calls);
            case FIREFUNCTION -> list(text, "functools[", false, calls);
        };
        if (content == null) return new Reply(text, List.of());
        return new Reply(content, List.copyOf(calls));
    }

    /** {@code <tool_call> {…} </tool_call>} blocks anywhere; the closing tag may be cut at the end. */
    private String hermes(String text, List<ToolCall> calls) {
        String open = "<tool_call>", close = "</tool_call>";
        StringBuilder content = new StringBuilder();
        int at = 0;
        while (true) {
            int o = text.indexOf(open, at);
            if (o < 0) {
                content.append(text, at, text.length());
                break;
            }
            content.append(text, at, o);
            int start = JsonScan.skipWs(text, o + open.length());
            int end = JsonScan.end(text, start);
            if (end < 0 || text.charAt(start) != '{') return null;
            ToolCall call = call(text.substring(start, end));
            if (call == null) return null;
            calls.add(call);
            int after = JsonScan.skipWs(text, end);
            if (text.startsWith(close, after)) at = after + close.length();
            else if (after == text.length()) at = after;
            else return null;
        }
        return calls.isEmpty() ? null : content.toString().strip();
    }

    /**
     * One or more call objects (separated by {@code ;} or whitespace) that run to the end of the
     * reply, from its start or from the first {@code {"name"} (what the lazy grammar triggers on);
     * text before them is the content.
     */
    private String llama3(String text, List<ToolCall> calls) {
        String t = text.strip();
        if (t.startsWith(PYTHON_TAG)) t = t.substring(PYTHON_TAG.length()).strip();
        int at = 0;
        if (!t.startsWith("{")) {
            at = -1;
            for (String trigger : format.triggers()) {
                int i = t.indexOf(trigger);
                if (i >= 0 && (at < 0 || i < at)) at = i;
            }
            if (at < 0) return null;
        }
        String content = t.substring(0, at).strip();
        while (at < t.length()) {
            int end = JsonScan.end(t, at);
            if (end < 0 || t.charAt(at) != '{') return null;
            ToolCall call = call(t.substring(at, end));
            if (call == null) return null;
            calls.add(call);
            at = JsonScan.skipWs(t, end);
            if (at < t.length() && t.charAt(at) == ';') at = JsonScan.skipWs(t, at + 1);
        }
        return calls.isEmpty() ? null : content;
    }

    /**
     * A marker followed by a JSON array of calls. The marker may be a control token the decoder
     * drops, so with {@code markerOptional} a reply that is only such an array counts too.
     */
    private String list(String text, String marker, boolean markerOptional, List<ToolCall> calls) {
        int m = text.indexOf(marker);
        int start;
        String content;
        if (m >= 0) {
            content = text.substring(0, m).strip();
            start = JsonScan.skipWs(text, m + marker.length() - (marker.endsWith("[") ? 1 : 0));
        } else if (markerOptional && text.strip().startsWith("[")) {
            content = "";
            start = JsonScan.skipWs(text, 0);
        } else {
            return null;
        }
        int end = JsonScan.end(text, start);
        if (end < 0 || text.charAt(start) != '[' || JsonScan.skipWs(text, end) != text.length()) return null;
        Object array = JsonValues.tryParse(text.substring(start, end));
        if (!(array instanceof List<?> items) || items.isEmpty()) return null;
        for (Object item : items) {
            ToolCall call = call(item);
            if (call == null) return null;
            calls.add(call);
        }
        return content;
    }

    private ToolCall call(String json) {
        return call(JsonValues.tryParse(json));
    }

    private ToolCall call(Object parsed) {
        if (!(parsed instanceof Map<?, ?> m)) return null;
        if (!(m.get("name") instanceof String name) || name.isEmpty()) return null;
        Object args = m.containsKey(format.argumentsKey()) ? m.get(format.argumentsKey())
                : m.get(format.argumentsKey().equals("arguments") ? "parameters" : "arguments");
        if (args == null) return null;
        if (args instanceof String s) args = JsonValues.tryParse(s);
        if (!(args instanceof Map<?, ?>)) return null;
        return new ToolCall(newId(), name, Json.write(args));
    }

    /** {@code call_} + 24 letters and digits; Mistral's templates require exactly 9 letters and digits. */
    private String newId() {
        int n = format == ToolCallFormat.MISTRAL ? 9 : 24;
        StringBuilder sb = new StringBuilder(format == ToolCallFormat.MISTRAL ? "" : "call_");
        for (int i = 0; i < n; i++) sb.append(ALNUM.charAt(random.nextInt(ALNUM.length())));
        return sb.toString();
    }
}
