package dev.winnow.cli;

import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Sampler;
import dev.winnow.generate.Session;
import dev.winnow.generate.TokenListener;
import dev.winnow.cli.docs.CompareRecord;
import dev.winnow.kv.KvStats;
import dev.winnow.kv.policy.KvPolicies;
import dev.winnow.kv.sparse.SparseMethods;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.kv.policy.PolicyInfo;
import dev.winnow.model.Model;
import dev.winnow.tensor.Parallel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code winnow kv compare}: the smoke test of compression specs on one model. The full cache
 * greedily continues a prompt; each spec is then teacher-forced along that continuation, and
 * the table reports how often its next-token prediction agrees with the full cache's, the
 * entries and bytes it holds at the end, and its decode speed.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare KV compression specs with the full cache on one model: top-1 agreement of next-token",
                "predictions along a greedy continuation, entries and bytes held, decode tokens/s (markdown table)."})
final class KvCompareCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    LoadOptions loading;

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model file.")
    java.nio.file.Path model;

    @Option(names = "--kv", paramLabel = "SPEC", description = "A spec to compare; repeatable. Default: every eviction policy and sparse-attention method at every --budgets value.")
    List<String> specs = new ArrayList<>();

    @Option(names = "--budgets", paramLabel = "N,N,…", split = ",", defaultValue = "32,64,128",
            description = "Budgets (entries per head) for the default specs (default: ${DEFAULT-VALUE}).")
    List<Integer> budgets;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", defaultValue = "Once upon a time",
            description = "Prompt (default: ${DEFAULT-VALUE}).")
    String prompt;

    @Option(names = {"-n", "--tokens"}, paramLabel = "N", defaultValue = "512",
            description = "Length of the greedy continuation (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads (default: available processors).")
    Integer threads;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Also record every row as a JSON line in FILE (overwritten), e.g. for 'winnow eval tables'.")
    java.nio.file.Path output;

    /**
     * The spec that means "budget B entries per head" for a policy (window-based ones need a
     * smaller window). This command compresses while decoding a continuation of a short prompt,
     * so the observation-window policies, which by default compress only after a prompt, are
     * run with their decode-time trigger ({@code trigger=decode}) — named in the spec.
     */
    static String specFor(String policy, int b) {
        int window = Math.max(1, Math.min(32, b / 4));
        return switch (policy) {
            case "streaming" -> "streaming:sinks=4,window=" + (b - 4);
            case "duo" -> "duo:sinks=4,window=" + (b - 4);
            case "snapkv", "pyramidkv", "adakv", "chunkkv" -> policy + ":budget=" + b + ",window=" + window + ",trigger=decode";
            default -> policy + ":budget=" + b;
        };
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> all = new ArrayList<>(specs);
        if (all.isEmpty()) {
            for (int b : budgets) {
                if (b < 8) throw new CliException("--budgets: " + b + " is too small (at least 8)");
                for (PolicyInfo p : KvPolicies.all()) if (!p.name().equals("full")) all.add(specFor(p.name(), b));
                for (PolicyInfo p : SparseMethods.all()) all.add(p.name() + ":budget=" + b);
            }
        }
        List<KvSpec> parsed = all.stream().map(KvSpec::parse).toList();
        Parallel parallel = Threads.pool(threads, spec.commandLine().getErr());
        try (parallel; Model m = loading.load(model, parallel, spec.commandLine().getErr())) {
            int[] promptIds = m.tokenizer().encode(prompt);
            int ctx = Math.min(m.config().contextLength(), promptIds.length + tokens + 1);
            if (promptIds.length + tokens + 1 > m.config().contextLength()) {
                throw new CliException("prompt (" + promptIds.length + " tokens) + " + tokens
                        + " continuation tokens exceed the model's context " + m.config().contextLength());
            }
            err.println("full cache: greedy continuation of " + tokens + " tokens …");
            err.flush();
            Session full = new Session(m, ctx, Session.DEFAULT_BATCH);
            Generation ref = full.generate(promptIds, GenerationParams.builder().temperature(0).maxTokens(tokens)
                    .ignoreEos(true).build(), TokenListener.NONE);
            Row fullRow = run(m, ctx, promptIds, ref.tokens(), KvSpec.FULL);
            List<String> records = new ArrayList<>();
            String modelName = model.getFileName().toString();
            out.println("| spec | entries/head (mean) | peak entries/head (max) | read/step (mean) | KV bytes held | KV bytes allocated | decode tok/s | top-1 agreement |");
            out.println("|---|---|---|---|---|---|---|---|");
            print(out, fullRow);
            records.add(fullRow.record(modelName, prompt, tokens).toJson());
            for (int i = 0; i < parsed.size(); i++) {
                err.println(Format.f("[%d/%d] %s", i + 1, parsed.size(), parsed.get(i)));
                err.flush();
                Row row = run(m, ctx, promptIds, ref.tokens(), parsed.get(i));
                print(out, row);
                records.add(row.record(modelName, prompt, tokens).toJson());
            }
            out.flush();
            if (output != null) {
                try {
                    java.nio.file.Files.write(output, records);
                } catch (java.io.IOException e) {
                    throw new CliException(output + ": cannot write (" + e.getMessage() + ")");
                }
            }
        }
        return 0;
    }

    /** One spec's measurements; {@code readPerStep} is the mean entries a head's decoding attention read. */
    record Row(String spec, double entriesPerHead, int peakEntries, double readPerStep, long bytes, long allocated,
               double bitsPerValue, double tokensPerSecond, double agreement) {
        CompareRecord record(String model, String prompt, int tokens) {
            return new CompareRecord(model, prompt, tokens, spec, entriesPerHead, peakEntries, readPerStep, bytes, allocated,
                    bitsPerValue, agreement, tokensPerSecond);
        }
    }

    private static void print(PrintWriter out, Row r) {
        out.println(Format.f("| `%s` | %.1f | %d | %.1f | %s | %s | %.0f | %.1f%% |", r.spec(), r.entriesPerHead(), r.peakEntries(),
                r.readPerStep(),
                Format.bytes(r.bytes()),
                Format.bytes(r.allocated()), r.tokensPerSecond(), 100 * r.agreement()));
        out.flush();
    }

    /** Teacher-forces the continuation through a session with the spec; agreement with the full cache's greedy choices. */
    static Row run(Model m, int ctx, int[] prompt, int[] continuation, KvSpec spec) {
        Session s = new Session(m, ctx, Session.DEFAULT_BATCH, spec.newPolicy());
        float[] logits = s.prefill(prompt);
        int vocab = m.config().vocabSize();
        int agree = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < continuation.length; i++) {
            if (Sampler.argmax(logits, vocab) == continuation[i]) agree++;
            if (i + 1 < continuation.length) logits = s.decode(continuation[i]);
        }
        long t1 = System.nanoTime();
        KvStats st = s.cache().stats();
        double perHead = (double) st.totalEntries() / (m.config().layers() * m.config().kvHeads());
        double tps = continuation.length > 1 ? (continuation.length - 1) * 1e9 / (t1 - t0) : 0;
        return new Row(spec.toString(), perHead, st.maxPeakEntries(), st.reads().meanRead(), st.bytesUsed(), st.bytesAllocated(), st.bitsPerValue(), tps, (double) agree / continuation.length);
    }
}
