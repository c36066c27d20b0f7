package dev.winnow.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.grammar.Grammar;
import dev.winnow.grammar.GrammarException;
import dev.winnow.grammar.JsonSchema;
import dev.winnow.tools.Tool;
import dev.winnow.tools.ToolCallFormat;
import dev.winnow.tools.ToolCallParser;
import dev.winnow.tools.ToolChoice;
import dev.winnow.tools.ToolGrammar;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A request's constraints on the output: {@code response_format} ({@code text}, {@code json_object},
 * {@code json_schema} with {@code strict}) or {@code tools} with {@code tool_choice} and
 * {@code parallel_tool_calls}. Every field is checked; a bad one is a 400 naming it.
 *
 * @param tools the tools offered to the model (empty when none, or when tool_choice is none)
 * @param choice what the model must do with them
 * @param maxCalls calls per reply: 1 without parallel calls
 * @param responseFormat the schema of a JSON reply, or null
 */
record StructuredOutput(List<Tool> tools, ToolChoice choice, int maxCalls, JsonSchema responseFormat) {
    static final int MAX_TOOLS = 128;
    static final StructuredOutput NONE = new StructuredOutput(List.of(), ToolChoice.NONE, 1, null);

    static StructuredOutput parse(JsonNode body, boolean chat) {
        for (String f : List.of("functions", "function_call")) {
            if (RequestParser.present(body, f)) {
                throw ApiException.unsupported(f, f + " is the deprecated form of tool calling; use \"tools\" and \"tool_choice\"");
            }
        }
        List<Tool> tools = tools(body.get("tools"));
        if (!chat && !tools.isEmpty()) throw ApiException.unsupported("tools", "tools are only supported by /v1/chat/completions");
        ToolChoice choice = choice(body.get("tool_choice"), tools);
        int maxCalls = 1;
        JsonNode p = body.get("parallel_tool_calls");
        if (p != null && !p.isNull() && !p.isBoolean()) throw ApiException.invalid("parallel_tool_calls", "parallel_tool_calls must be true or false, got " + p);
        if (p == null || p.isNull() || p.asBoolean()) maxCalls = ToolGrammar.MAX_PARALLEL_CALLS;
        JsonSchema format = responseFormat(body.get("response_format"));
        if (format != null && choice.mode() != ToolChoice.Mode.NONE) {
            throw ApiException.unsupported("response_format", "response_format cannot be combined with tools (unless tool_choice is \"none\")");
        }
        if (choice.mode() == ToolChoice.Mode.NONE) tools = List.of();
        return new StructuredOutput(tools, choice, maxCalls, format);
    }

    /** The grammar for the sampler, or null for free text. */
    Grammar grammar(ToolCallFormat format) {
        if (responseFormat != null) return responseFormat.grammar();
        if (tools.isEmpty()) return null;
        try {
            return ToolGrammar.of(format, tools, choice, maxCalls);
        } catch (GrammarException e) {
            throw ApiException.invalid("tools", "the tools' parameter schemas do not make a usable grammar: " + e.getMessage());
        }
    }

    /** The parser of the reply's calls, or null when no calls are expected. */
    ToolCallParser parser(ToolCallFormat format) {
        return tools.isEmpty() ? null : new ToolCallParser(format);
    }

    private static List<Tool> tools(JsonNode t) {
        if (t == null || t.isNull()) return List.of();
        if (!t.isArray()) throw ApiException.invalid("tools", "tools must be an array of {\"type\": \"function\", \"function\": {...}}");
        if (t.size() > MAX_TOOLS) throw ApiException.invalid("tools", "tools has " + t.size() + " entries; at most " + MAX_TOOLS);
        List<Tool> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < t.size(); i++) {
            String field = "tools[" + i + "]";
            JsonNode tool = t.get(i);
            if (!tool.isObject()) throw ApiException.invalid(field, field + " must be an object");
            String type = tool.path("type").asText("");
            if (!type.equals("function")) {
                throw ApiException.unsupported(field + ".type", field + ".type '" + type + "' is not supported; only \"function\"");
            }
            JsonNode f = tool.get("function");
            if (f == null || !f.isObject()) throw ApiException.invalid(field + ".function", field + ".function is required");
            JsonNode name = f.get("name");
            if (name == null || !name.isTextual()) throw ApiException.invalid(field + ".function.name", field + ".function.name is required");
            JsonNode desc = f.get("description");
            if (desc != null && !desc.isNull() && !desc.isTextual()) {
                throw ApiException.invalid(field + ".function.description", field + ".function.description must be a string");
            }
            JsonNode params = f.get("parameters");
            if (params != null && !params.isNull() && !params.isObject()) {
                throw ApiException.invalid(field + ".function.parameters", field + ".function.parameters must be a JSON schema object");
            }
            JsonNode strict = f.get("strict");
            if (strict != null && !strict.isNull() && !strict.isBoolean()) {
                throw ApiException.invalid(field + ".function.strict", field + ".function.strict must be true or false");
            }
            if (!names.add(name.asText())) throw ApiException.invalid(field + ".function.name", "two tools are named '" + name.asText() + "'");
            try {
                out.add(Tool.of(name.asText(), desc == null || desc.isNull() ? null : desc.asText(),
                        params == null || params.isNull() ? null : params.toString()));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid(field + ".function", field + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static ToolChoice choice(JsonNode c, List<Tool> tools) {
        ToolChoice choice;
        if (c == null || c.isNull()) {
            choice = tools.isEmpty() ? ToolChoice.NONE : ToolChoice.AUTO;
        } else if (c.isTextual()) {
            choice = switch (c.asText()) {
                case "auto" -> tools.isEmpty() ? ToolChoice.NONE : ToolChoice.AUTO;
                case "none" -> ToolChoice.NONE;
                case "required" -> ToolChoice.REQUIRED;
                default -> throw ApiException.invalid("tool_choice", "tool_choice must be \"auto\", \"none\", \"required\" or "
                        + "{\"type\": \"function\", \"function\": {\"name\": ...}}, got \"" + c.asText() + "\"");
            };
        } else if (c.isObject() && c.path("type").asText("").equals("function") && c.path("function").path("name").isTextual()) {
            String name = c.get("function").get("name").asText();
            if (tools.stream().noneMatch(t -> t.name().equals(name))) {
                throw ApiException.invalid("tool_choice", "tool_choice names the function '" + name + "', which is not among the tools "
                        + tools.stream().map(Tool::name).toList());
            }
            choice = ToolChoice.named(name);
        } else {
            throw ApiException.invalid("tool_choice", "tool_choice must be \"auto\", \"none\", \"required\" or "
                    + "{\"type\": \"function\", \"function\": {\"name\": ...}}, got " + c);
        }
        if (choice.mode() == ToolChoice.Mode.REQUIRED && tools.isEmpty()) {
            throw ApiException.invalid("tool_choice", "tool_choice \"required\" needs at least one tool in \"tools\"");
        }
        return choice;
    }

    private static JsonSchema responseFormat(JsonNode rf) {
        if (rf == null || rf.isNull()) return null;
        if (!rf.isObject()) throw ApiException.invalid("response_format", "response_format must be an object {\"type\": ...}");
        String type = rf.path("type").asText("");
        switch (type) {
            case "text":
                return null;
            case "json_object":
                return JsonSchema.anyObject();
            case "json_schema":
                JsonNode js = rf.get("json_schema");
                if (js == null || !js.isObject()) {
                    throw ApiException.invalid("response_format.json_schema", "response_format.json_schema is required: {\"name\": ..., \"schema\": {...}}");
                }
                JsonNode strict = js.get("strict");
                if (strict != null && !strict.isNull() && !strict.isBoolean()) {
                    throw ApiException.invalid("response_format.json_schema.strict", "response_format.json_schema.strict must be true or false");
                }
                JsonNode schema = js.get("schema");
                if (schema == null || schema.isNull()) return JsonSchema.anyObject();
                if (!schema.isObject() && !schema.isBoolean()) {
                    throw ApiException.invalid("response_format.json_schema.schema", "response_format.json_schema.schema must be a JSON schema object");
                }
                try {
                    JsonSchema s = JsonSchema.parse(schema.toString());
                    s.grammar();
                    return s;
                } catch (GrammarException e) {
                    throw ApiException.invalid("response_format.json_schema.schema", "response_format.json_schema.schema: " + e.getMessage());
                }
            default:
                throw ApiException.invalid("response_format.type", "response_format.type must be \"text\", \"json_object\" or \"json_schema\", got \""
                        + type + "\"");
        }
    }
}
