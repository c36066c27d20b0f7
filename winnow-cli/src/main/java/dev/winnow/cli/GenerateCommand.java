package dev.winnow.cli;

import dev.winnow.generate.ChatSession;
import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Session;
import dev.winnow.generate.StopReason;
import dev.winnow.generate.TokenListener;
import dev.winnow.generate.speculative.SpeculateSpec;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import dev.winnow.model.ModelConfig;
import dev.winnow.tensor.Parallel;
import dev.winnow.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code winnow generate}: streams a continuation of a prompt. */
@Command(name = "generate", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Generate text from a prompt, streaming it to stdout.",
                "A summary (prompt and generated tokens, tokens/s, stop reason) goes to stderr."})
final class GenerateCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    LoadOptions loading;

    /** Default upper bound of the context when -c is not given. */
    static final int DEFAULT_MAX_CONTEXT = 4096;

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model file.")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    PromptSource prompt;

    static final class PromptSource {
        @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", required = true,
                description = "The prompt (default: empty, i.e. start from BOS).")
        String text;

        @Option(names = "--prompt-file", paramLabel = "FILE", required = true, description = "Read the prompt from a file (UTF-8).")
        Path file;
    }

    @Mixin
    SamplingOptions sampling;

    @Option(names = {"-c", "--ctx"}, paramLabel = "N",
            description = "Context length in tokens (prompt + generated). Default: the model's, at most "
                    + DEFAULT_MAX_CONTEXT + " to bound memory; give -c to go higher.")
    Integer contextLength;

    @Option(names = {"-b", "--batch"}, paramLabel = "N", defaultValue = "" + Session.DEFAULT_BATCH,
            description = "Prompt tokens per forward pass (prefill chunk) (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads (default: available processors).")
    Integer threads;

    @Option(names = "--chat", description = "Format the prompt as a user message with the model's chat template "
            + "(ChatML when the file has none; said on stderr).")
    boolean chat;

    @Option(names = "--system", paramLabel = "TEXT", description = "With --chat: a system message.")
    String system;

    @Option(names = "--kv", paramLabel = "SPEC", defaultValue = dev.winnow.kv.policy.KvSpec.DEFAULT_TEXT,
            description = "KV cache compression spec, e.g. snapkv:budget=256 or streaming:sinks=4,window=1020 "
                    + "('winnow kv list' shows every policy) (default: ${DEFAULT-VALUE}: every entry kept in half precision, as llama.cpp's default "
                    + "cache; 'full' keeps f32, twice the bytes).")
    String kv;

    @Option(names = "--speculate", paramLabel = "SPEC",
            description = "Speculative decoding: draft tokens with SPEC and verify them in one pass; the output is "
                    + "what plain decoding gives (greedy: token for token). Drafters: lookup:n=3,k=8 (prompt lookup), "
                    + "recycling:k=8,tree=default (token recycling, tree drafts), self:kv=streaming:window=256,k=4 (the model over a "
                    + "compressed cache). Needs a KV spec that keeps every "
                    + "entry (full, f16, int8, …).")
    String speculate;

    @Option(names = "--kv-stats", description = "After generation, print the KV entries and bytes per layer to stderr.")
    boolean kvStats;

    @Option(names = "--no-bos", description = "Do not prepend the BOS token to the prompt.")
    boolean noBos;

    @Option(names = "--echo", description = "Print the prompt before the generated text.")
    boolean echo;

    @Option(names = {"-v", "--verbose"}, description = "Print the model, settings and seed to stderr.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "No summary line on stderr.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String promptText = promptText();
        GenerationParams params = sampling.params();
        KvSpec kvSpec = KvSpec.parse(kv);
        SpeculateSpec speculation = speculate == null ? null : SpeculateSpec.parse(speculate);
        Parallel parallel = Threads.pool(threads, spec.commandLine().getErr());
        long t0 = System.nanoTime();
        try (parallel; Model m = loading.load(model, parallel, spec.commandLine().getErr())) {
            ModelConfig c = m.config();
            int ctx = contextLength != null ? contextLength : Math.min(c.contextLength(), DEFAULT_MAX_CONTEXT);
            RunLimits.context(ctx, c, err);
            int batch = RunLimits.batch(this.batch, spec.commandLine().getParseResult().hasMatchedOption("--batch"), ctx, err);
            Tokenizer tok = m.tokenizer();
            int[] ids = tok.encode(promptText, !noBos && tok.addBosByDefault(), false);
            Session session = new Session(m, ctx, batch, kvSpec.newPolicy());
            session.speculate(speculation);
            if (verbose) {
                err.println(Format.f("model: %s (%s, %s, %s parameters), loaded in %.0f ms", model,
                        c.architecture().ggufName(), c.name(), Format.count(Models.parameterCount(m.file())),
                        (System.nanoTime() - t0) / 1e6));
                err.println(Format.f("context %d (model: %d), batch %d, threads %d, prompt %d tokens", ctx,
                        c.contextLength(), batch, parallel.threads(), ids.length));
                err.println(sampling.describe());
                err.println("KV: " + kvSpec);
                err.flush();
            }
            if (echo) {
                out.print(promptText);
                out.flush();
            }
            boolean[] any = {echo && !promptText.isEmpty()};
            StringBuilder tail = new StringBuilder(1);
            Generation g;
            try {
                TokenListener listener = text -> {
                    out.print(text);
                    if (out.checkError()) throw new OutputClosed(); // e.g. "| head" exited: stop generating
                    if (!text.isEmpty()) {
                        any[0] = true;
                        tail.setLength(0);
                        tail.append(text.charAt(text.length() - 1));
                    }
                };
                g = chat ? new ChatSession(session, Chats.template(m, err), system).reply(promptText, params, listener)
                        : session.generate(ids, params, listener);
            } catch (OutputClosed e) {
                return 0;
            }
            if (any[0] && !(tail.length() > 0 && tail.charAt(0) == '\n')) out.println();
            out.flush();
            if (!quiet) {
                err.println(Format.f("prompt: %d tokens, %.1f tok/s | generated: %d tokens, %.1f tok/s | stop: %s",
                        g.promptTokens(), g.prefillTokensPerSecond(), g.tokens().length, g.decodeTokensPerSecond(),
                        describe(g.stopReason(), ctx)));
                if (speculation != null) err.println("speculation (" + speculation + "): " + session.speculationStats());
            }
            if (verbose) err.println("KV cache: " + session.cache().stats());
            if (kvStats) KvStatsTable.print(err, session.cache().stats(), kvSpec.toString());
            err.flush();
        }
        return 0;
    }

    /** Thrown from the token listener when stdout is gone (the reader exited). */
    private static final class OutputClosed extends RuntimeException {
        OutputClosed() {
            super("stdout closed", null, false, false);
        }
    }

    private String promptText() throws IOException {
        if (prompt == null) return "";
        if (prompt.text != null) return prompt.text;
        if (!Files.isRegularFile(prompt.file)) throw new CliException(prompt.file + ": no such file (--prompt-file)");
        try {
            return Files.readString(prompt.file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new CliException(prompt.file + ": not valid UTF-8 text (--prompt-file expects UTF-8)");
        }
    }

    private String describe(StopReason r, int ctx) {
        return switch (r) {
            case END_OF_GENERATION -> "end of generation";
            case MAX_TOKENS -> "max tokens (-n " + sampling.maxTokens + ")";
            case STOP_STRING -> "stop string";
            case CONTEXT_FULL -> "context full (-c " + ctx + ")";
            case CANCELLED -> "cancelled";
        };
    }
}
