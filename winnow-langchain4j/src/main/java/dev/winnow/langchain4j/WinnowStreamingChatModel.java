package dev.winnow.langchain4j;

import static dev.langchain4j.spi.ServiceHelper.loadFactories;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.winnow.langchain4j.spi.WinnowStreamingChatModelBuilderFactory;

/**
 * A LangChain4j {@link StreamingChatModel} running Winnow in-process: the reply reaches
 * {@link StreamingChatResponseHandler#onPartialResponse} as it is generated (complete UTF-8
 * characters, stop strings held back), then {@code onCompleteResponse} with usage, finish reason
 * and id. It runs on the calling thread; errors go to {@code onError}.
 */
public final class WinnowStreamingChatModel extends WinnowModelBase implements StreamingChatModel {
    private WinnowStreamingChatModel(Builder b) {
        super(b);
    }

    /** A builder, from a {@link WinnowStreamingChatModelBuilderFactory} on the class path if there is one. */
    public static Builder builder() {
        for (WinnowStreamingChatModelBuilderFactory f : loadFactories(WinnowStreamingChatModelBuilderFactory.class)) return f.get();
        return new Builder();
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        ChatResponse response;
        try {
            response = run(request, handler::onPartialResponse);
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        handler.onCompleteResponse(response);
    }

    public static final class Builder extends WinnowModelBuilder<Builder> {
        public WinnowStreamingChatModel build() {
            return new WinnowStreamingChatModel(this);
        }
    }
}
