package dev.winnow.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.winnow.generate.TokenListener;
import java.util.List;

/** What both Winnow chat models share: the engine, default parameters, listeners, seed. */
abstract class WinnowModelBase implements AutoCloseable {
    private final WinnowEngine engine;
    private final ChatRequestParameters defaults;
    private final List<ChatModelListener> listeners;
    private final long seed;

    WinnowModelBase(WinnowModelBuilder<?> b) {
        this.defaults = b.parameters();
        this.listeners = List.copyOf(b.listeners);
        this.seed = b.seed;
        this.engine = b.engine();
    }

    /** Runs a request (its parameters already defaulted by {@code chat}), streaming text to {@code listener}. */
    ChatResponse run(ChatRequest request, TokenListener listener) {
        WinnowEngine.Result result = engine.run(request.parameters().modelName(), Requests.messages(request),
                Requests.params(request.parameters(), seed), listener);
        return Requests.response(result, engine.modelName());
    }

    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    public List<ChatModelListener> listeners() {
        return listeners;
    }

    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    /** The engine: its counters tell how much of each request the cache already held. */
    public WinnowEngine engine() {
        return engine;
    }

    /** Unmaps the model. */
    @Override
    public void close() {
        engine.close();
    }
}
