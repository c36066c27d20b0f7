package dev.winnow.langchain4j;

import static dev.langchain4j.spi.ServiceHelper.loadFactories;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.winnow.generate.TokenListener;
import dev.winnow.langchain4j.spi.WinnowChatModelBuilderFactory;

/**
 * A LangChain4j {@link ChatModel} running Winnow in-process. {@link #doChat} honours the request's
 * temperature, topP, topK, maxOutputTokens, stopSequences and modelName (another model is loaded
 * when it names one); listeners and default parameters are applied by {@link ChatModel#chat}.
 * Close it to unmap the model.
 */
public final class WinnowChatModel extends WinnowModelBase implements ChatModel {
    private WinnowChatModel(Builder b) {
        super(b);
    }

    /** A builder, from a {@link WinnowChatModelBuilderFactory} on the class path if there is one. */
    public static Builder builder() {
        for (WinnowChatModelBuilderFactory f : loadFactories(WinnowChatModelBuilderFactory.class)) return f.get();
        return new Builder();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        return run(request, TokenListener.NONE);
    }

    public static final class Builder extends WinnowModelBuilder<Builder> {
        public WinnowChatModel build() {
            return new WinnowChatModel(this);
        }
    }
}
