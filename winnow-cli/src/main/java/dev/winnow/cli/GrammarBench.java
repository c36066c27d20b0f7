package dev.winnow.cli;

import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Sampler;
import dev.winnow.generate.Session;
import dev.winnow.grammar.GrammarException;
import dev.winnow.grammar.GrammarMatcher;
import dev.winnow.grammar.JsonSchema;
import dev.winnow.grammar.TokenVocabulary;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code winnow bench --schema FILE}: what constrained decoding with a JSON schema costs on a model.
 * Per schema: the compilation time (median of 5 fresh compilations), then per repetition two
 * constrained generations of up to -n tokens (temperature 1, same seed, so the same tokens): a
 * cold one with a freshly compiled grammar (parser states and token masks built on the way) and
 * a warm one with the same grammar again (everything memoized). Each step times the model's
 * forward pass and, separately, the grammar's work (mask over the whole vocabulary + advance),
 * one right after the other, so their ratio holds even on a busy machine.
 */
final class GrammarBench {
    static final String PROMPT = "JSON:";
    private static final int COMPILES = 5;

    /** One schema's numbers (milliseconds per token; medians over the repetitions). */
    record Row(String schema, double compileMs, int tokens, double forwardMs, double coldMs, double warmMs,
               double coldRatio, double warmRatio) {
    }

    /** One generation: tokens, forward and grammar nanoseconds. */
    private record Pass(int tokens, long forwardNanos, int forwardSteps, long grammarNanos, String stop) {
        double forwardMs() {
            return forwardNanos / 1e6 / Math.max(1, forwardSteps);
        }

        double grammarMs() {
            return grammarNanos / 1e6 / Math.max(1, tokens);
        }
    }

    private final Model model;
    private final KvSpec kv;
    private final int tokens;
    private final int repetitions;
    private final PrintWriter err;

    GrammarBench(Model model, KvSpec kv, int tokens, int repetitions, PrintWriter err) {
        this.model = model;
        this.kv = kv;
        this.tokens = tokens;
        this.repetitions = repetitions;
        this.err = err;
    }

    /** Builds the tokenizer's byte trie (once per vocabulary); returns the milliseconds it took. */
    double vocabularyMs() {
        long t0 = System.nanoTime();
        TokenVocabulary.of(model.tokenizer());
        return (System.nanoTime() - t0) / 1e6;
    }

    static String read(Path schemaFile) {
        try {
            String text = Files.readString(schemaFile);
            JsonSchema.parse(text);
            return text;
        } catch (NoSuchFileException e) {
            throw new CliException(schemaFile + ": no such file (--schema)");
        } catch (IOException e) {
            throw new CliException(schemaFile + ": cannot read (--schema): " + e.getMessage());
        } catch (GrammarException e) {
            throw new CliException(schemaFile + ": " + e.getMessage());
        }
    }

    Row run(Path schemaFile) {
        String text = read(schemaFile);
        double[] compile = new double[COMPILES];
        for (int k = 0; k < COMPILES; k++) {
            long t0 = System.nanoTime();
            JsonSchema.parse(text);
            compile[k] = (System.nanoTime() - t0) / 1e6;
        }
        double[] forward = new double[2 * repetitions], cold = new double[repetitions], warm = new double[repetitions];
        double[] coldRatio = new double[repetitions], warmRatio = new double[repetitions];
        int n = 0;
        for (int r = 0; r < repetitions; r++) {
            JsonSchema schema = JsonSchema.parse(text);
            Pass c = pass(schema, 1000 + r);
            Pass w = pass(schema, 1000 + r);
            cold[r] = c.grammarMs();
            warm[r] = w.grammarMs();
            coldRatio[r] = c.grammarMs() / c.forwardMs();
            warmRatio[r] = w.grammarMs() / w.forwardMs();
            forward[2 * r] = c.forwardMs();
            forward[2 * r + 1] = w.forwardMs();
            n = c.tokens();
            err.println(Format.f("%s run %d/%d: %d tokens (%s); cold: forward %.2f, grammar %.3f ms/token; warm: forward "
                            + "%.2f, grammar %.3f ms/token", schemaFile.getFileName(), r + 1, repetitions, n, c.stop(),
                    c.forwardMs(), c.grammarMs(), w.forwardMs(), w.grammarMs()));
            err.flush();
        }
        return new Row(schemaFile.getFileName().toString(), median(compile), n, median(forward), median(cold), median(warm),
                median(coldRatio), median(warmRatio));
    }

    /** A constrained generation of up to -n tokens, timing the forward passes and the grammar apart. */
    private Pass pass(JsonSchema schema, long seed) {
        int vocab = model.config().vocabSize();
        Session s = new Session(model, tokens + 64, Session.DEFAULT_BATCH, kv.newPolicy());
        float[] logits = s.prefill(model.tokenizer().encode(PROMPT));
        Sampler sampler = new Sampler(GenerationParams.builder().temperature(1f).topK(0).topP(1f).minP(0f).seed(seed).build());
        GrammarMatcher m = new GrammarMatcher(schema.grammar(), model.tokenizer());
        long forwardNanos = 0, grammarNanos = 0;
        int steps = 0, n = 0;
        String stop = "-n reached";
        while (n < tokens) {
            long t0 = System.nanoTime();
            m.mask(logits, vocab);
            grammarNanos += System.nanoTime() - t0;
            int token = sampler.sample(logits, vocab, new int[0], 0);
            long t1 = System.nanoTime();
            m.accept(token);
            grammarNanos += System.nanoTime() - t1;
            n++;
            if (model.tokenizer().isEndOfGeneration(token)) {
                stop = "value complete";
                break;
            }
            if (n == tokens) break;
            long t2 = System.nanoTime();
            logits = s.decode(token);
            forwardNanos += System.nanoTime() - t2;
            steps++;
        }
        return new Pass(n, forwardNanos, steps, grammarNanos, stop);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static void printTable(PrintWriter out, String modelName, double vocabMs, int vocabSize, List<Row> rows) {
        out.println(Format.f("model %s, vocabulary %d tokens (byte trie built in %.0f ms, once per vocabulary)", modelName,
                vocabSize, vocabMs));
        out.println("| schema | compile ms | tokens | forward ms/tok | grammar cold ms/tok | grammar warm ms/tok "
                + "| cold / forward | warm / forward |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            out.println(Format.f("| %s | %.2f | %d | %.2f | %.3f | %.3f | %.1f %% | %.2f %% |", r.schema(), r.compileMs(),
                    r.tokens(), r.forwardMs(), r.coldMs(), r.warmMs(), 100 * r.coldRatio(), 100 * r.warmRatio()));
        }
        out.println("grammar = mask over the whole vocabulary + advance, per token; cold = freshly compiled grammar, warm = "
                + "the same grammar again (medians over -r runs; each ratio is taken within one run)");
    }

    static List<Row> runAll(GrammarBench b, List<Path> schemas) {
        List<Row> rows = new ArrayList<>();
        for (Path p : schemas) rows.add(b.run(p));
        return rows;
    }
}
