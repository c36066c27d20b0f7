package dev.winnow.cli;

import dev.winnow.generate.ChatSession;
import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Session;
import dev.winnow.generate.StopReason;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import dev.winnow.tensor.Parallel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code winnow chat}: an interactive conversation. Each line on stdin is a user message; the
 * reply streams to stdout. The KV cache is kept across turns, so only each new message is
 * processed. {@code /reset} starts over, {@code /exit} or end of input (Ctrl-D) ends. Ctrl-C
 * stops the reply being generated (the conversation goes on); at the prompt it quits.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Chat with an instruct model: one user message per line on stdin, replies stream to stdout.",
                "The conversation stays in the KV cache (earlier turns are not processed again).",
                "Commands: /reset (forget the conversation), /exit or Ctrl-D (quit).",
                "Ctrl-C stops the reply being generated and keeps the conversation; at the prompt it quits."})
final class ChatCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    LoadOptions loading;

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model file.")
    Path model;

    @Option(names = "--system", paramLabel = "TEXT", description = "System message.")
    String system;

    @Mixin
    SamplingOptions sampling;

    @Option(names = {"-c", "--ctx"}, paramLabel = "N",
            description = "Context length in tokens. Default: the model's, at most " + GenerateCommand.DEFAULT_MAX_CONTEXT + ".")
    Integer contextLength;

    @Option(names = {"-b", "--batch"}, paramLabel = "N", defaultValue = "" + Session.DEFAULT_BATCH,
            description = "Prompt tokens per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads (default: available processors).")
    Integer threads;

    @Option(names = "--kv", paramLabel = "SPEC", defaultValue = dev.winnow.kv.policy.KvSpec.DEFAULT_TEXT,
            description = "KV cache compression spec ('winnow kv list') (default: ${DEFAULT-VALUE}: every entry kept in half precision, as llama.cpp's default "
                    + "cache; 'full' keeps f32, twice the bytes).")
    String kv;

    @Option(names = {"-q", "--quiet"}, description = "No per-turn summary on stderr.")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        KvSpec kvSpec = KvSpec.parse(kv);
        GenerationParams params = sampling.params();
        boolean interactive = System.console() != null;
        Parallel parallel = Threads.pool(threads, spec.commandLine().getErr());
        try (parallel; Model m = loading.load(model, parallel, spec.commandLine().getErr())) {
            int ctx = contextLength != null ? contextLength
                    : Math.min(m.config().contextLength(), GenerateCommand.DEFAULT_MAX_CONTEXT);
            RunLimits.context(ctx, m.config(), err);
            int batch = RunLimits.batch(this.batch, spec.commandLine().getParseResult().hasMatchedOption("--batch"), ctx, err);
            ChatSession chat = new ChatSession(new Session(m, ctx, batch, kvSpec.newPolicy()), Chats.template(m, err), system);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            converse(in, out, err, chat, params, interactive, ReplyCancellation.onSigint());
        }
        return 0;
    }

    /** The conversation: one user message per line of {@code in} until /exit or the end of input. */
    void converse(BufferedReader in, PrintWriter out, PrintWriter err, ChatSession chat, GenerationParams params,
                  boolean interactive, ReplyCancellation cancel) throws IOException {
        int ctx = chat.session().contextLength();
        int turn = 0;
        while (true) {
            if (interactive) {
                err.print("> ");
                err.flush();
            }
            String line = in.readLine();
            if (line == null || line.strip().equals("/exit")) break;
            if (line.strip().equals("/reset")) {
                chat.reset();
                turn = 0;
                if (!quiet) err.println("(conversation reset)");
                err.flush();
                continue;
            }
            if (line.isBlank()) continue;
            if (line.strip().equals("/help")) {
                err.println("commands: /help (this list), /reset (forget the conversation), /exit (quit; "
                        + "Ctrl-D too); start a message with // to send a literal leading /");
                err.flush();
                continue;
            }
            if (line.startsWith("//")) {
                line = line.substring(1);
            } else if (line.startsWith("/")) {
                err.println("winnow: unknown command " + line.strip().split("\\s+")[0] + " (type /help)");
                err.flush();
                continue;
            }
            turn++;
            cancel.replyStarted();
            Generation g;
            try {
                g = chat.reply(line, params, text -> {
                    out.print(text);
                    out.flush();
                }, cancel);
            } finally {
                cancel.replyEnded();
            }
            out.println();
            out.flush();
            if (g.stopReason() == StopReason.CANCELLED) {
                err.println("(reply stopped; the conversation goes on from here — Ctrl-C at the prompt or /exit quits)");
            }
            if (!quiet) {
                err.println(Format.f("turn %d: prompt %d new tokens, %.1f tok/s | reply %d tokens, %.1f tok/s | context %d/%d",
                        turn, g.promptTokens(), g.prefillTokensPerSecond(), g.tokens().length,
                        g.decodeTokensPerSecond(), chat.session().position(), ctx));
            }
            err.flush();
        }
    }
}
