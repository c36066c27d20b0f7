package dev.winnow.tools;

import dev.winnow.template.ChatTemplate;
import dev.winnow.template.TemplateException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a conversation with tools through a model's chat template, as llama.cpp and HF
 * transformers feed them: {@code tools} as a list of {@code {"type": "function", "function": …}};
 * call arguments as objects, or as JSON text when the template concatenates them (it is rendered
 * again that way when the first rendering fails); FireFunction's {@code functions} and
 * {@code datetime}. A template that never reads {@code tools} gets them in a system message that
 * asks for the {@link ToolCallFormat#HERMES} format (the fallback).
 */
public final class ToolPrompt {
    private static final ChatTemplate TOJSON = ChatTemplate.of("{{ value | tojson }}");
    private static final ChatTemplate TOJSON_INDENTED = ChatTemplate.of("{{ value | tojson(indent=2) }}");
    private static final DateTimeFormatter FIREFUNCTION_DATE = DateTimeFormatter.ofPattern("MMM dd yyyy HH:mm:ss 'GMT'", Locale.ROOT);

    private ToolPrompt() {
    }

    /** Whether the template reads the {@code tools} variable at all. */
    public static boolean templateReadsTools(ChatTemplate template) {
        return template.source().contains("tools");
    }

    /**
     * @param messages the conversation as dicts ({@link ToolMessages} builds the tool-related ones)
     * @param tools the tools the model may call (empty: none offered)
     * @throws TemplateException when the template fails with object and with string arguments
     */
    public static String render(ChatTemplate template, List<? extends Map<String, ?>> messages, List<Tool> tools,
                                boolean addGenerationPrompt) {
        if (!template.source().contains("tool_calls")) messages = callsAsText(messages);
        try {
            return renderOnce(template, messages, tools, addGenerationPrompt);
        } catch (TemplateException e) {
            if (!ToolMessages.hasToolCalls(messages)) throw e;
            try {
                return renderOnce(template, ToolMessages.withStringArguments(messages), tools, addGenerationPrompt);
            } catch (TemplateException again) {
                throw e;
            }
        }
    }

    private static String renderOnce(ChatTemplate template, List<? extends Map<String, ?>> messages, List<Tool> tools,
                                     boolean addGenerationPrompt) {
        Map<String, Object> vars = new HashMap<>();
        if (tools.isEmpty()) return template.renderMessages(messages, addGenerationPrompt, vars);
        List<Object> toolValues = new ArrayList<>();
        for (Tool t : tools) toolValues.add(t.toTemplateValue());
        if (ToolCallFormat.detect(template.source()).orElse(null) == ToolCallFormat.FIREFUNCTION) {
            vars.put("functions", json(toolValues, true));
            vars.put("datetime", ZonedDateTime.now(template.clock()).format(FIREFUNCTION_DATE));
        }
        if (templateReadsTools(template)) {
            vars.put("tools", toolValues);
            return template.renderMessages(messages, addGenerationPrompt, vars);
        }
        String text = fallbackText(toolValues);
        try {
            return template.renderMessages(inSystemMessage(messages, text), addGenerationPrompt, vars);
        } catch (TemplateException e) {
            return template.renderMessages(beforeFirstUserText(messages, text), addGenerationPrompt, vars); // no system role
        }
    }

    /**
     * For a template that never reads {@code tool_calls}: each assistant turn's calls as Hermes
     * {@code <tool_call>} text, consecutive tool results as one user message of
     * {@code <tool_response>} blocks (so roles still alternate).
     */
    static List<Map<String, Object>> callsAsText(List<? extends Map<String, ?>> messages) {
        List<Map<String, Object>> out = new ArrayList<>();
        boolean lastWasResults = false;
        for (Map<String, ?> m : messages) {
            if (m.get("tool_calls") instanceof List<?> calls && !calls.isEmpty()) {
                StringBuilder sb = new StringBuilder();
                Object c = m.get("content");
                if (c != null && !c.toString().isEmpty()) sb.append(c).append('\n');
                for (int i = 0; i < calls.size(); i++) {
                    Map<?, ?> f = calls.get(i) instanceof Map<?, ?> call && call.get("function") instanceof Map<?, ?> fn ? fn : Map.of();
                    Map<String, Object> shown = new LinkedHashMap<>();
                    shown.put("name", f.get("name"));
                    shown.put("arguments", f.get("arguments"));
                    if (i > 0) sb.append('\n');
                    sb.append("<tool_call>\n").append(json(shown, false)).append("\n</tool_call>");
                }
                out.add(ToolMessages.text("assistant", sb.toString()));
                lastWasResults = false;
            } else if ("tool".equals(m.get("role"))) {
                Object c = m.get("content");
                String block = "<tool_response>\n" + (c == null ? "" : c) + "\n</tool_response>";
                if (lastWasResults) out.getLast().put("content", out.getLast().get("content") + "\n" + block);
                else out.add(ToolMessages.text("user", block));
                lastWasResults = true;
            } else {
                out.add(new LinkedHashMap<>(m));
                lastWasResults = false;
            }
        }
        return out;
    }

    private static String fallbackText(List<Object> tools) {
        StringBuilder sb = new StringBuilder("You may call one or more functions to assist with the user query. "
                + "The available functions, as JSON signatures within <tools></tools> tags:\n<tools>\n");
        for (Object t : tools) sb.append(json(t, false)).append('\n');
        sb.append("</tools>\nFor each function call, return a JSON object with the function name and arguments within "
                + "<tool_call></tool_call> tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>");
        return sb.toString();
    }

    /** The text in the first system message (added when there is none). */
    private static List<Map<String, Object>> inSystemMessage(List<? extends Map<String, ?>> messages, String text) {
        List<Map<String, Object>> out = copy(messages);
        if (!out.isEmpty() && "system".equals(out.getFirst().get("role"))) {
            Object c = out.getFirst().get("content");
            out.getFirst().put("content", (c == null || c.toString().isEmpty() ? "" : c + "\n\n") + text);
        } else {
            out.addFirst(ToolMessages.text("system", text));
        }
        return out;
    }

    /** The text before the first user message's content. */
    private static List<Map<String, Object>> beforeFirstUserText(List<? extends Map<String, ?>> messages, String text) {
        List<Map<String, Object>> out = copy(messages);
        for (Map<String, Object> m : out) {
            if ("user".equals(m.get("role"))) {
                Object c = m.get("content");
                m.put("content", text + "\n\n" + (c == null ? "" : c));
                break;
            }
        }
        return out;
    }

    private static List<Map<String, Object>> copy(List<? extends Map<String, ?>> messages) {
        List<Map<String, Object>> out = new ArrayList<>(messages.size());
        for (Map<String, ?> m : messages) out.add(new LinkedHashMap<>(m));
        return out;
    }

    /** JSON as the templates' {@code tojson} (Python's {@code json.dumps}) writes it. */
    static String json(Object value, boolean indented) {
        return (indented ? TOJSON_INDENTED : TOJSON).renderMessages(List.of(), false, Map.of("value", value));
    }
}
