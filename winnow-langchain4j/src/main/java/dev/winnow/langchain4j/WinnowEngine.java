package dev.winnow.langchain4j;

import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Session;
import dev.winnow.generate.StopReason;
import dev.winnow.generate.TokenListener;
import dev.winnow.hub.HubCache;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import dev.winnow.template.ChatTemplate;
import dev.winnow.tools.Tool;
import dev.winnow.tools.ToolCallFormat;
import dev.winnow.tools.ToolCallParser;
import dev.winnow.tools.ToolChoice;
import dev.winnow.tools.ToolGrammar;
import dev.winnow.tools.ToolPrompt;
import dev.winnow.tensor.Parallel;
import dev.winnow.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One loaded model, its session and the conversation its KV cache holds; what both chat models
 * run on. A request whose rendering (with the model's chat template) extends the text the cache
 * holds — the previous request's prompt and reply — feeds only the new part; any other request
 * starts over. Requests are served one at a time.
 */
public final class WinnowEngine implements AutoCloseable {
    private final String kv;
    private final int threads;
    private final Integer contextLength;
    private final int batchSize;
    private Parallel parallel;
    private Model model;
    private String modelName;
    private Session session;
    private ChatTemplate template;
    /** The text whose tokens the cache holds (rendered prompt + reply), or null: the next request starts over. */
    private String held;
    private int lastPrefilled, lastReused;
    private long requests, prefilledTotal;

    WinnowEngine(String model, String kv, int threads, Integer contextLength, int batchSize) {
        this.kv = kv;
        this.threads = threads;
        this.contextLength = contextLength;
        this.batchSize = batchSize;
        KvSpec.parse(kv); // a bad spec fails at build time, naming the spec
        load(model);
    }

    /** A model argument: a GGUF path, or {@code org/name[:FILE]} of a model pulled with {@code winnow pull}. */
    static Path resolve(String model) {
        Path p = HubCache.fromEnvironment().resolveModelArgument(model);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException("model " + model + ": no such file"
                    + (dev.winnow.hub.ModelRef.looksLike(model) ? " and no pulled model of that name (winnow pull " + model + ")" : ""));
        }
        return p;
    }

    private void load(String name) {
        Path path = resolve(name);
        close();
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        parallel = n == Runtime.getRuntime().availableProcessors() ? Parallel.shared() : new Parallel(n);
        model = Model.load(path, parallel);
        modelName = name;
        int ctx = contextLength != null ? contextLength : Math.min(model.config().contextLength(), 4096);
        session = new Session(model, ctx, batchSize, KvSpec.parse(kv).newPolicy());
        template = ChatTemplate.fromGguf(model.file()).orElseGet(ChatTemplate::chatml);
        held = null;
    }

    /** What one request produced; {@code toolCalls} is the parsed reply when tools were offered, else null. */
    record Result(Generation generation, int promptTokens, ToolCallParser.Reply toolCalls) {
    }

    /**
     * Runs one request: switches model when {@code requestedModel} names another, renders the
     * messages, feeds what the cache lacks and generates (text streamed to {@code listener}).
     */
    synchronized Result run(String requestedModel, List<Map<String, Object>> messages, GenerationParams params, TokenListener listener) {
        return run(requestedModel, messages, List.of(), ToolChoice.NONE, 1, params, listener);
    }

    /**
     * Runs one request that may call {@code tools}: the template renders them ({@link ToolPrompt}),
     * the grammar of the template's call format constrains the calls ({@link ToolGrammar}) and the
     * reply is parsed into calls.
     *
     * @param maxCalls calls one reply may make (1: no parallel calls)
     */
    synchronized Result run(String requestedModel, List<Map<String, Object>> messages, List<Tool> tools, ToolChoice choice,
                            int maxCalls, GenerationParams params, TokenListener listener) {
        if (requestedModel != null && !requestedModel.equals(modelName)) load(requestedModel);
        if (choice.mode() == ToolChoice.Mode.NONE) tools = List.of();
        ToolCallFormat format = ToolCallFormat.forTemplate(template.source());
        if (!tools.isEmpty()) {
            if (params.grammar() != null) throw new IllegalArgumentException("a response format cannot be combined with tools");
            params = params.toBuilder().grammar(ToolGrammar.of(format, tools, choice, maxCalls)).build();
        }
        String full = ToolPrompt.render(template, messages, tools, true);
        String delta;
        boolean reuse = held != null && session.position() > 0 && full.startsWith(held);
        if (reuse) {
            delta = full.substring(held.length());
        } else {
            session.reset();
            delta = full;
        }
        Tokenizer tok = model.tokenizer();
        boolean bos = !reuse && tok.addBosByDefault()
                && template.bosToken().map(b -> b.isEmpty() || !full.startsWith(b)).orElse(true);
        int[] ids = tok.encode(delta, bos, true);
        int reused = reuse ? session.position() : 0;
        held = null;
        Generation g = session.generate(ids, params, listener);
        lastPrefilled = g.promptTokens();
        lastReused = reused;
        requests++;
        prefilledTotal += g.promptTokens();
        // The cache now holds full + the reply's tokens; the reply's text equals them unless a stop
        // string was cut off (then the next request starts over).
        if (g.stopReason() == StopReason.END_OF_GENERATION) {
            int[] out = g.tokens();
            held = full + g.text() + (out.length > 0 ? tok.tokenText(out[out.length - 1]) : "");
        } else if (g.stopReason() == StopReason.MAX_TOKENS) {
            held = full + g.text();
        }
        return new Result(g, reused + ids.length, tools.isEmpty() ? null : new ToolCallParser(format).parse(g.text()));
    }

    /** The tool-call format of the current model's chat template. */
    public synchronized ToolCallFormat toolFormat() {
        return ToolCallFormat.forTemplate(template.source());
    }

    public synchronized String modelName() {
        return modelName;
    }

    /** The model in use. */
    public synchronized Model model() {
        return model;
    }

    /** Prompt tokens the last request ran through the model (the part the cache did not hold). */
    public synchronized int lastPrefilledTokens() {
        return lastPrefilled;
    }

    /** Tokens of the last request's prompt that the cache already held from the previous request. */
    public synchronized int lastReusedTokens() {
        return lastReused;
    }

    /** Tokens the cache holds now (prompt and reply so far). */
    public synchronized int cachedTokens() {
        return session.position();
    }

    public synchronized long requests() {
        return requests;
    }

    public synchronized long prefilledTokensTotal() {
        return prefilledTotal;
    }

    /** Forgets the conversation the cache holds. */
    public synchronized void reset() {
        if (session != null) session.reset();
        held = null;
    }

    @Override
    public synchronized void close() {
        if (model != null) model.close();
        if (parallel != null && parallel != Parallel.shared()) parallel.close();
        model = null;
        parallel = null;
        session = null;
    }
}
