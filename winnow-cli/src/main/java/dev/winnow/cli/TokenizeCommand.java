package dev.winnow.cli;

import dev.winnow.gguf.GgufFile;
import dev.winnow.tokenizer.Tokenizer;
import dev.winnow.tokenizer.Tokenizers;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code winnow tokenize}: the token ids and pieces of a text. Needs only the tokenizer metadata (vocab-only files work). */
@Command(name = "tokenize", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Print the token ids and pieces of a text.",
                "One line per token: id<TAB>piece<TAB>\"text\" (the raw vocabulary entry, e.g. 'Ġworld', and the "
                        + "text it decodes to, e.g. ' world'; control characters escaped); with --ids "
                        + "one line of space-separated ids. Works on vocab-only GGUF files too."})
final class TokenizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model or vocab file.")
    Path model;

    @Parameters(index = "0", paramLabel = "TEXT", description = "The text to tokenize.")
    String text;

    @Option(names = "--ids", description = "Print only the ids, space-separated on one line.")
    boolean idsOnly;

    @Option(names = "--no-bos", description = "Do not prepend BOS (default: per the model's tokenizer.ggml.add_bos_token).")
    boolean noBos;

    @Option(names = "--parse-special", description = "Recognise special tokens written in the text (e.g. <s>).")
    boolean parseSpecial;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Tokenizer tok;
        try (GgufFile f = GgufFile.open(model)) {
            tok = Tokenizers.fromGguf(f);
        }
        int[] ids = tok.encode(text, !noBos && tok.addBosByDefault(), parseSpecial);
        if (idsOnly) {
            StringJoiner j = new StringJoiner(" ");
            for (int id : ids) j.add(Integer.toString(id));
            out.println(j);
        } else {
            for (int id : ids) out.println(line(tok, id));
        }
        out.flush();
        return 0;
    }

    /** {@code id<TAB>piece<TAB>"text"}: byte-level BPE pieces ({@code Ġworld}, {@code Ã¼}) are not the text they stand for. */
    static String line(Tokenizer tok, int id) {
        return id + "\t" + Format.escape(tok.tokenText(id)) + "\t\"" + Format.escape(textOf(tok, id)) + "\"";
    }

    /** The text one token stands for inside a text (a SentencePiece word keeps its leading space). */
    private static String textOf(Tokenizer tok, int id) {
        dev.winnow.tokenizer.StreamingDecoder d = tok.continuationDecoder();
        return d.push(id) + d.flush();
    }
}
