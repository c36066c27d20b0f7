package dev.winnow.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.internal.JsonSchemaElementJsonUtils;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.StopReason;
import dev.winnow.grammar.GrammarException;
import dev.winnow.grammar.JsonSchema;
import dev.winnow.tools.Tool;
import dev.winnow.tools.ToolCall;
import dev.winnow.tools.ToolCallParser;
import dev.winnow.tools.ToolChoice;
import dev.winnow.tools.ToolMessages;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Translates LangChain4j requests to Winnow's (messages with tool calls and results, tool
 * specifications, tool choice, JSON-schema response format) and Winnow's results to LangChain4j
 * responses (tool execution requests with finish reason TOOL_EXECUTION).
 */
final class Requests {
    private Requests() {
    }

    /** The conversation as the dicts chat templates read (text, tool calls and tool results). */
    static List<Map<String, Object>> messages(ChatRequest request) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (dev.langchain4j.data.message.ChatMessage m : request.messages()) {
            switch (m) {
                case SystemMessage s -> out.add(ToolMessages.text("system", s.text()));
                case UserMessage u -> {
                    if (!u.hasSingleText()) {
                        throw new UnsupportedFeatureException("Winnow takes text-only user messages; this one has "
                                + u.contents().size() + " parts (" + u.contents().stream().map(c -> c.type().name()).toList() + ")");
                    }
                    out.add(ToolMessages.text("user", u.singleText()));
                }
                case AiMessage a -> {
                    if (a.hasToolExecutionRequests()) {
                        List<ToolCall> calls = new ArrayList<>();
                        for (ToolExecutionRequest r : a.toolExecutionRequests()) {
                            calls.add(new ToolCall(r.id() == null ? "" : r.id(), r.name(), r.arguments() == null ? "{}" : r.arguments()));
                        }
                        out.add(ToolMessages.assistant(a.text(), calls));
                    } else {
                        out.add(ToolMessages.text("assistant", a.text() == null ? "" : a.text()));
                    }
                }
                case ToolExecutionResultMessage t -> out.add(ToolMessages.result(t.id(), t.toolName(), t.text()));
                default -> throw new UnsupportedFeatureException("Winnow does not support " + m.type() + " messages");
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("the chat request has no messages");
        return out;
    }

    /** The request's tools as Winnow tools (their parameter schemas compiled). */
    static List<Tool> tools(ChatRequestParameters p) {
        if (p.toolSpecifications() == null || p.toolSpecifications().isEmpty()) return List.of();
        List<Tool> out = new ArrayList<>();
        for (ToolSpecification spec : p.toolSpecifications()) {
            Map<String, Object> schema = spec.parameters() == null ? null : JsonSchemaElementJsonUtils.toMap(spec.parameters());
            out.add(Tool.of(spec.name(), spec.description(), schema));
        }
        return out;
    }

    static ToolChoice toolChoice(ChatRequestParameters p, List<Tool> tools) {
        if (tools.isEmpty()) return ToolChoice.NONE;
        if (p.toolChoice() == null) return ToolChoice.AUTO;
        return switch (p.toolChoice()) {
            case AUTO -> ToolChoice.AUTO;
            case REQUIRED -> ToolChoice.REQUIRED;
            case NONE -> ToolChoice.NONE;
        };
    }

    /** The JSON schema the reply must match, or null for text. */
    static JsonSchema responseFormat(ChatRequestParameters p) {
        ResponseFormat rf = p.responseFormat();
        if (rf == null || rf.type() == ResponseFormatType.TEXT) return null;
        if (rf.jsonSchema() == null || rf.jsonSchema().rootElement() == null) return JsonSchema.anyObject();
        try {
            return JsonSchema.of(JsonSchemaElementJsonUtils.toMap(rf.jsonSchema().rootElement()));
        } catch (GrammarException e) {
            throw new UnsupportedFeatureException("response format '" + rf.jsonSchema().name() + "': " + e.getMessage());
        }
    }

    /** The sampling settings: the request's parameters (already defaulted by the model's), else Winnow's defaults. */
    static GenerationParams params(ChatRequestParameters p, long seed) {
        if (p.frequencyPenalty() != null || p.presencePenalty() != null) {
            throw new UnsupportedFeatureException("Winnow does not support frequencyPenalty/presencePenalty");
        }
        GenerationParams.Builder b = GenerationParams.builder().seed(seed);
        try {
            if (p.temperature() != null) b.temperature(p.temperature().floatValue());
            if (p.topP() != null) b.topP(p.topP().floatValue());
            if (p.topK() != null) b.topK(p.topK());
            if (p.maxOutputTokens() != null) b.maxTokens(p.maxOutputTokens());
            if (p.stopSequences() != null) b.stop(p.stopSequences());
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad chat request parameter: " + e.getMessage(), e);
        }
    }

    static ChatResponse response(WinnowEngine.Result r, String modelName) {
        Generation g = r.generation();
        int[] out = g.tokens();
        ToolCallParser.Reply reply = r.toolCalls();
        if (reply != null && reply.hasCalls()) {
            List<ToolExecutionRequest> requests = new ArrayList<>();
            for (ToolCall c : reply.calls()) {
                requests.add(ToolExecutionRequest.builder().id(c.id()).name(c.name()).arguments(c.arguments()).build());
            }
            FinishReason reason = finishReason(g.stopReason());
            return ChatResponse.builder()
                    .aiMessage(reply.content().isEmpty() ? AiMessage.from(requests) : AiMessage.from(reply.content(), requests))
                    .id("winnow-" + UUID.randomUUID())
                    .modelName(modelName)
                    .tokenUsage(new TokenUsage(r.promptTokens(), out.length))
                    .finishReason(reason == FinishReason.STOP ? FinishReason.TOOL_EXECUTION : reason)
                    .build();
        }
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(g.text()))
                .id("winnow-" + UUID.randomUUID())
                .modelName(modelName)
                .tokenUsage(new TokenUsage(r.promptTokens(), out.length))
                .finishReason(finishReason(g.stopReason()))
                .build();
    }

    static FinishReason finishReason(StopReason r) {
        return switch (r) {
            case END_OF_GENERATION, STOP_STRING -> FinishReason.STOP;
            case MAX_TOKENS, CONTEXT_FULL -> FinishReason.LENGTH;
            case CANCELLED -> FinishReason.OTHER;
        };
    }
}
