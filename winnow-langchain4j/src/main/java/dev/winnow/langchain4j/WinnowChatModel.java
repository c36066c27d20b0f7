package dev.winnow.langchain4j;

import static dev.langchain4j.spi.ServiceHelper.loadFactories;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.winnow.generate.TokenListener;
import dev.winnow.langchain4j.spi.WinnowChatModelBuilderFactory;
import java.util.List;

/**
 * A LangChain4j {@link ChatModel} running Winnow in-process. {@link #doChat} honours the request's
 * temperature, topP, topK, maxOutputTokens, stopSequences and modelName (another model is loaded
 * when it names one); listeners and default parameters are applied by {@link ChatModel#chat}.
 * Close it to unmap the model.
 */
public final class WinnowChatModel implements ChatModel, AutoCloseable {
    private final WinnowEngine engine;
    private final ChatRequestParameters defaults;
    private final List<ChatModelListener> listeners;
    private final long seed;

    private WinnowChatModel(Builder b) {
        this.defaults = b.parameters();
        this.listeners = List.copyOf(b.listeners);
        this.seed = b.seed;
        this.engine = b.engine();
    }

    /** A builder, from a {@link WinnowChatModelBuilderFactory} on the class path if there is one. */
    public static Builder builder() {
        for (WinnowChatModelBuilderFactory f : loadFactories(WinnowChatModelBuilderFactory.class)) return f.get();
        return new Builder();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        var result = engine.run(request.parameters().modelName(), Requests.messages(request),
                Requests.params(request.parameters(), seed), TokenListener.NONE);
        return Requests.response(result, engine.modelName());
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

    /** The engine: its counters tell how much of each request the cache already held. */
    public WinnowEngine engine() {
        return engine;
    }

    @Override
    public void close() {
        engine.close();
    }

    public static final class Builder extends WinnowModelBuilder<Builder> {
        public WinnowChatModel build() {
            return new WinnowChatModel(this);
        }
    }
}
