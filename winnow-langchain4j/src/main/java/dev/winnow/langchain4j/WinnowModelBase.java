package dev.winnow.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.TokenListener;
import dev.winnow.grammar.JsonSchema;
import dev.winnow.tools.Tool;
import dev.winnow.tools.ToolCallParser;
import dev.winnow.tools.ToolCallStream;
import dev.winnow.tools.ToolChoice;
import dev.winnow.tools.ToolGrammar;
import java.util.List;
import java.util.Set;

/** What both Winnow chat models share: the engine, default parameters, listeners, seed. */
abstract class WinnowModelBase implements AutoCloseable {
    private final WinnowEngine engine;
    private final ChatRequestParameters defaults;
    private final List<ChatModelListener> listeners;
    private final long seed;
    private final int maxToolCalls;

    WinnowModelBase(WinnowModelBuilder<?> b) {
        this.defaults = b.parameters();
        this.listeners = List.copyOf(b.listeners);
        this.seed = b.seed;
        this.maxToolCalls = b.parallelToolCalls ? ToolGrammar.MAX_PARALLEL_CALLS : 1;
        this.engine = b.engine();
    }

    /** Runs a request (its parameters already defaulted by {@code chat}), streaming text to {@code listener}. */
    ChatResponse run(ChatRequest request, TokenListener listener) {
        ChatRequestParameters p = request.parameters();
        List<Tool> tools = Requests.tools(p);
        JsonSchema format = Requests.responseFormat(p);
        GenerationParams params = Requests.params(p, seed);
        if (format != null) params = params.toBuilder().responseFormat(format).build();
        ToolChoice choice = Requests.toolChoice(p, tools);
        ToolCallStream calls = null;
        TokenListener out = listener;
        if (choice.mode() != ToolChoice.Mode.NONE && listener != TokenListener.NONE) {
            // text goes out until a call may be starting; a call's text never reaches the listener
            ToolCallStream s = new ToolCallStream(new ToolCallParser(engine.toolFormat()), choice.forcesCall());
            calls = s;
            out = text -> {
                String t = s.accept(text);
                if (!t.isEmpty()) listener.onText(t);
            };
        }
        WinnowEngine.Result result = engine.run(p.modelName(), Requests.messages(request), tools, choice, maxToolCalls, params, out);
        if (calls != null) {
            String rest = calls.finish().unsentContent();
            if (!rest.isEmpty()) listener.onText(rest);
        }
        return Requests.response(result, engine.modelName());
    }

    /** Structured output is constrained by a grammar, so JSON-schema response formats are native. */
    public Set<Capability> supportedCapabilities() {
        return Set.of(Capability.RESPONSE_FORMAT_JSON_SCHEMA);
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
