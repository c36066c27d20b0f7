package dev.winnow.langchain4j;

import dev.langchain4j.data.message.AiMessage;
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
import dev.winnow.template.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Translates LangChain4j requests to Winnow's and Winnow's results to LangChain4j responses. */
final class Requests {
    private Requests() {
    }

    /** The conversation as Winnow chat messages (text only). */
    static List<ChatMessage> messages(ChatRequest request) {
        List<ChatMessage> out = new ArrayList<>();
        for (dev.langchain4j.data.message.ChatMessage m : request.messages()) {
            switch (m) {
                case SystemMessage s -> out.add(ChatMessage.system(s.text()));
                case UserMessage u -> {
                    if (!u.hasSingleText()) {
                        throw new UnsupportedFeatureException("Winnow takes text-only user messages; this one has "
                                + u.contents().size() + " parts (" + u.contents().stream().map(c -> c.type().name()).toList() + ")");
                    }
                    out.add(ChatMessage.user(u.singleText()));
                }
                case AiMessage a -> {
                    if (a.hasToolExecutionRequests()) throw new UnsupportedFeatureException("Winnow does not support tools yet");
                    out.add(ChatMessage.assistant(a.text() == null ? "" : a.text()));
                }
                default -> throw new UnsupportedFeatureException("Winnow does not support " + m.type() + " messages");
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("the chat request has no messages");
        return out;
    }

    /** The sampling settings: the request's parameters (already defaulted by the model's), else Winnow's defaults. */
    static GenerationParams params(ChatRequestParameters p, long seed) {
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
            throw new UnsupportedFeatureException("Winnow does not support tools yet");
        }
        ResponseFormat rf = p.responseFormat();
        if (rf != null && rf.type() != ResponseFormatType.TEXT) {
            throw new UnsupportedFeatureException("Winnow does not support the " + rf.type() + " response format yet");
        }
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
