package dev.winnow.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings both Winnow chat models take: the model (a GGUF path or a pulled
 * {@code org/name[:FILE]}), the KV cache spec, threads, context, default request parameters
 * (temperature, topP, topK, maxOutputTokens, stopSequences), seed and listeners.
 */
public abstract class WinnowModelBuilder<B extends WinnowModelBuilder<B>> {
    String model;
    String kv = dev.winnow.kv.policy.KvSpec.DEFAULT_TEXT;
    int threads;
    Integer contextLength;
    int batchSize = dev.winnow.generate.Session.DEFAULT_BATCH;
    long seed = 42;
    boolean parallelToolCalls = true;
    final DefaultChatRequestParameters.Builder<?> defaults = ChatRequestParameters.builder();
    ChatRequestParameters overrides;
    final List<ChatModelListener> listeners = new ArrayList<>();

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The GGUF model file. */
    public B modelPath(Path path) { model = path.toString(); return self(); }

    /** A GGUF path, or {@code org/name[:FILE]} of a model pulled with {@code winnow pull}. */
    public B model(String pathOrPulledName) { model = pathOrPulledName; return self(); }

    /** KV cache spec, as {@code winnow --kv} takes it ({@code full}, {@code snapkv:budget=256}, …). */
    public B kv(String spec) { kv = spec; return self(); }

    /** Threads of the forward pass (default: available processors). */
    public B threads(int n) { threads = n; return self(); }

    /** Context length in tokens (default: the model's, at most 4096). */
    public B contextLength(int n) { contextLength = n; return self(); }

    /** Prompt tokens per forward pass. */
    public B batchSize(int n) { batchSize = n; return self(); }

    /** Sampling seed: the same seed, request and conversation give the same reply. */
    public B seed(long s) { seed = s; return self(); }
    /** Whether one reply may make several tool calls (default true, at most {@code ToolGrammar.MAX_PARALLEL_CALLS}). */
    public B parallelToolCalls(boolean v) { parallelToolCalls = v; return self(); }

    public B temperature(Double v) { defaults.temperature(v); return self(); }

    public B topP(Double v) { defaults.topP(v); return self(); }

    public B topK(Integer v) { defaults.topK(v); return self(); }

    public B maxOutputTokens(Integer v) { defaults.maxOutputTokens(v); return self(); }

    public B stopSequences(List<String> v) { defaults.stopSequences(v); return self(); }

    /** Default request parameters; they override the single setters above. */
    public B defaultRequestParameters(ChatRequestParameters p) { overrides = p; return self(); }

    public B listeners(List<ChatModelListener> l) { listeners.clear(); listeners.addAll(l); return self(); }

    /** Starts the engine: loads the model. */
    WinnowEngine engine() {
        if (model == null || model.isBlank()) throw new IllegalArgumentException("no model: call modelPath(...) or model(\"org/name:Q4_K_M\")");
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (contextLength != null && contextLength < 1) throw new IllegalArgumentException("contextLength must be >= 1, got " + contextLength);
        return new WinnowEngine(model, kv, threads, contextLength, batchSize);
    }

    /** The default request parameters, with the model name. */
    ChatRequestParameters parameters() {
        ChatRequestParameters p = defaults.modelName(model).build();
        return overrides == null ? p : p.overrideWith(overrides);
    }
}
