package dev.winnow.cli;

import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
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
 * Per schema: the compilation time (median of 5 fresh compilations), then, interleaved per
 * repetition, a plain generation and a schema-constrained one of the same length (temperature 1,
 * same seed), and a replay of the constrained tokens through a fresh matcher: mask + advance per
 * token, cold (a freshly compiled grammar: parser states and token masks built on the way) and
 * warm (the same grammar again, everything memoized). The decode step it compares with is the
 * plain generation's time per token.
 */
final class GrammarBench {
    static final String PROMPT = "JSON:";
    private static final int COMPILES = 5;

    /** One schema's numbers (times per token in milliseconds; medians over the repetitions). */
    record Row(String schema, double compileMs, int tokens, double maskColdMs, double maskWarmMs, double decodeMs,
               double decodeGrammarMs) {
        double maskOverhead() {
            return maskWarmMs / decodeMs;
        }

        double coldMaskOverhead() {
            return maskColdMs / decodeMs;
        }

        double endToEndOverhead() {
            return decodeGrammarMs / decodeMs - 1;
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
        JsonSchema schema = JsonSchema.parse(text);
        double[] plain = new double[repetitions], constrained = new double[repetitions];
        double[] cold = new double[repetitions], warm = new double[repetitions];
        int n = 0;
        for (int r = 0; r < repetitions; r++) {
            GenerationParams.Builder p = GenerationParams.builder().temperature(1f).topK(0).topP(1f).minP(0f)
                    .seed(1000 + r).maxTokens(tokens);
            Generation a = generate(p.ignoreEos(true).build());
            Generation g = generate(p.ignoreEos(false).responseFormat(schema).build());
            plain[r] = msPerToken(a);
            constrained[r] = msPerToken(g);
            cold[r] = replay(JsonSchema.parse(text), g.tokens());
            warm[r] = replay(schema, g.tokens());
            n = g.tokens().length;
            err.println(Format.f("%s run %d/%d: decode %.2f ms/token, with the schema %.2f ms/token (%d tokens, %s); "
                            + "mask cold %.3f, warm %.3f ms/token", schemaFile.getFileName(), r + 1, repetitions, plain[r],
                    constrained[r], n, g.stopReason(), cold[r], warm[r]));
            err.flush();
        }
        return new Row(schemaFile.getFileName().toString(), median(compile), n, median(cold), median(warm), median(plain),
                median(constrained));
    }

    private Generation generate(GenerationParams params) {
        Session s = new Session(model, tokens + 64, Session.DEFAULT_BATCH, kv.newPolicy());
        return s.generate(PROMPT, params, t -> { });
    }

    /** Mask (over the whole vocabulary, as the sampler does) and advance per token, in milliseconds per token. */
    private double replay(JsonSchema schema, int[] ids) {
        int vocab = model.config().vocabSize();
        float[] logits = new float[vocab];
        long t0 = System.nanoTime();
        GrammarMatcher m = new GrammarMatcher(schema.grammar(), model.tokenizer());
        for (int id : ids) {
            m.mask(logits, vocab);
            m.accept(id);
        }
        return (System.nanoTime() - t0) / 1e6 / Math.max(1, ids.length);
    }

    private static double msPerToken(Generation g) {
        return g.decodeNanos() / 1e6 / Math.max(1, g.tokens().length);
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
        out.println("| schema | compile ms | tokens | decode ms/tok | mask cold ms/tok | mask warm ms/tok | cold / decode "
                + "| warm / decode | decode with schema ms/tok | end-to-end overhead |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            out.println(Format.f("| %s | %.2f | %d | %.2f | %.3f | %.3f | %.1f %% | %.1f %% | %.2f | %+.1f %% |", r.schema(),
                    r.compileMs(), r.tokens(), r.decodeMs(), r.maskColdMs(), r.maskWarmMs(), 100 * r.coldMaskOverhead(),
                    100 * r.maskOverhead(), r.decodeGrammarMs(),
                    100 * r.endToEndOverhead()));
        }
    }

    static List<Row> runAll(GrammarBench b, List<Path> schemas) {
        List<Row> rows = new ArrayList<>();
        for (Path p : schemas) rows.add(b.run(p));
        return rows;
    }
}
