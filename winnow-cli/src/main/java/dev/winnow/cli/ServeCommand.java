package dev.winnow.cli;

import dev.winnow.generate.BatchSequence;
import dev.winnow.generate.speculative.SpeculateSpec;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import dev.winnow.server.ServerConfig;
import dev.winnow.server.WinnowServer;
import dev.winnow.tensor.Parallel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code winnow serve}: the OpenAI-compatible HTTP server. Runs until SIGTERM or Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve a model over an OpenAI-compatible HTTP API (chat and text completions, streaming,",
                "/v1/models, /health, /metrics) with continuous batching and a shared KV memory budget.",
                "Stops cleanly on SIGTERM or Ctrl-C."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model file.")
    Path model;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}, loopback only; 0.0.0.0 for all interfaces).")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080", description = "TCP port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--kv", paramLabel = "SPEC", defaultValue = dev.winnow.kv.policy.KvSpec.DEFAULT_TEXT,
            description = "Default KV cache spec of every sequence ('winnow kv list') (default: ${DEFAULT-VALUE}).")
    String kv;

    @Option(names = "--no-kv-override", description = "Refuse requests that choose their own KV spec (the \"kv\" field).")
    boolean noKvOverride;

    @Option(names = "--speculate", paramLabel = "SPEC",
            description = "Default speculative decoding of every request: draft tokens with SPEC and verify them in one "
                    + "pass; the output is what plain decoding gives (greedy: token for token). Drafters: lookup:n=3,k=8, "
                    + "recycling:k=8,tree=default, self:kv=streaming:window=256,k=4. A request's \"speculate\" field "
                    + "overrides it (\"none\": plain). Needs a KV spec that keeps every entry (full, f16, int8, …).")
    String speculate;

    @Option(names = "--kv-memory", paramLabel = "BYTES", defaultValue = "2GiB",
            description = "Bytes all KV caches together may hold, e.g. 512MiB, 2GiB (default: ${DEFAULT-VALUE}).")
    String kvMemory;

    @Option(names = {"-np", "--parallel"}, paramLabel = "N", defaultValue = "4",
            description = "Most sequences generating at once (default: ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "16",
            description = "Most requests waiting for a slot or KV memory before 429 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "Require 'Authorization: Bearer KEY' (default: any or no token is accepted; also env WINNOW_API_KEY).")
    String apiKey;

    @Option(names = {"-c", "--ctx"}, paramLabel = "N",
            description = "Context length per sequence. Default: the model's, at most " + GenerateCommand.DEFAULT_MAX_CONTEXT + ".")
    Integer contextLength;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads (default: available processors).")
    Integer threads;

    @Option(names = "--max-body", paramLabel = "BYTES", defaultValue = "4MiB",
            description = "Largest accepted request body (default: ${DEFAULT-VALUE}).")
    String maxBody;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        KvSpec kvSpec = KvSpec.parse(kv);
        kvSpec.newPolicy(); // unknown names and parameters fail before the model loads
        SpeculateSpec speculation = speculate == null ? null : SpeculateSpec.parse(speculate);
        long kvBytes = bytes("--kv-memory", kvMemory);
        long bodyBytes = bytes("--max-body", maxBody);
        String key = apiKey != null ? apiKey : System.getenv("WINNOW_API_KEY");
        Parallel pool = Threads.pool(threads, err);
        try (pool; Model m = Model.load(model, pool)) {
            int ctx = contextLength != null ? contextLength : Math.min(m.config().contextLength(), GenerateCommand.DEFAULT_MAX_CONTEXT);
            if (speculation != null) {
                String why = new BatchSequence(m, 1, kvSpec.newPolicy()).speculationRefusal();
                if (why != null) throw new CliException("--speculate " + speculation + ": cannot speculate with --kv " + kvSpec + ": " + why);
                String refused = speculation.newDrafter(m).refusal();
                if (refused != null) throw new CliException("--speculate " + speculation + ": " + refused);
            }
            ServerConfig config;
            try {
                config = new ServerConfig(host, port, kvSpec, !noKvOverride, kvBytes, parallel, queue, Optional.ofNullable(key),
                        ctx, bodyBytes, 64, speculation);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            }
            CountDownLatch stopped = new CountDownLatch(1);
            WinnowServer server;
            try {
                server = WinnowServer.start(m, Chats.template(m, err), config);
            } catch (RuntimeException e) {
                throw new CliException("cannot listen on " + host + ":" + port + ": " + ErrorHandler.oneLine(e.getMessage()));
            }
            Thread hook = new Thread(() -> {
                err.println("winnow: stopping");
                err.flush();
                server.close();
                stopped.countDown();
            }, "winnow-serve-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            err.printf(Locale.ROOT, "winnow: serving %s at %s/v1 (context %d, kv %s, kv memory %s, parallel %d%s%s)%n",
                    server.modelId(), server.url(), ctx, kvSpec, Format.bytes(kvBytes), parallel,
                    speculation != null ? ", speculate " + speculation : "",
                    config.apiKey().isPresent() ? ", API key required" : "");
            err.flush();
            stopped.await();
            return 0;
        }
    }

    /** {@code 123}, {@code 512KiB}, {@code 2GiB}, {@code 1.5GB} → bytes. */
    static long bytes(String option, String text) {
        String t = text.strip();
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) i++;
        String unit = t.substring(i).strip().toLowerCase(Locale.ROOT);
        long mult = switch (unit) {
            case "", "b" -> 1L;
            case "k", "kb" -> 1000L;
            case "kib" -> 1L << 10;
            case "m", "mb" -> 1000_000L;
            case "mib" -> 1L << 20;
            case "g", "gb" -> 1000_000_000L;
            case "gib" -> 1L << 30;
            default -> -1;
        };
        double v;
        try {
            v = Double.parseDouble(t.substring(0, i));
        } catch (NumberFormatException e) {
            v = -1;
        }
        if (mult < 0 || !(v > 0)) {
            throw new CliException(option + ": '" + text + "' is not a size; expected e.g. 512MiB, 2GiB or a number of bytes");
        }
        return (long) (v * mult);
    }
}
