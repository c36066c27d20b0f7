package dev.winnow.langchain4j;

import static dev.langchain4j.spi.ServiceHelper.loadFactories;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.winnow.langchain4j.spi.WinnowStreamingChatModelBuilderFactory;
import java.util.List;

/**
 * A LangChain4j {@link StreamingChatModel} running Winnow in-process: the reply reaches
 * {@link StreamingChatResponseHandler#onPartialResponse} as it is generated (complete UTF-8
 * characters, stop strings held back), then {@code onCompleteResponse} with usage, finish reason
 * and id. It runs on the calling thread; errors go to {@code onError}.
 */
public final class WinnowStreamingChatModel implements StreamingChatModel, AutoCloseable {
    private final WinnowEngine engine;
    private final ChatRequestParameters defaults;
    private final List<ChatModelListener> listeners;
    private final long seed;

    private WinnowStreamingChatModel(Builder b) {
        this.defaults = b.parameters();
        this.listeners = List.copyOf(b.listeners);
        this.seed = b.seed;
        this.engine = b.engine();
    }

    /** A builder, from a {@link WinnowStreamingChatModelBuilderFactory} on the class path if there is one. */
    public static Builder builder() {
        for (WinnowStreamingChatModelBuilderFactory f : loadFactories(WinnowStreamingChatModelBuilderFactory.class)) return f.get();
        return new Builder();
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        WinnowEngine.Result result;
        try {
            result = engine.run(request.parameters().modelName(), Requests.messages(request),
                    Requests.params(request.parameters(), seed), handler::onPartialResponse);
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        handler.onCompleteResponse(Requests.response(result, engine.modelName()));
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    @Override
    public List<ChatModelListener> listeners() {
        return listeners;
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    public WinnowEngine engine() {
        return engine;
    }

    @Override
    public void close() {
        engine.close();
    }

    public static final class Builder extends WinnowModelBuilder<Builder> {
        public WinnowStreamingChatModel build() {
            return new WinnowStreamingChatModel(this);
        }
    }
}
