package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.gguf.GgufFile;
import dev.winnow.tokenizer.Tokenizer;
import dev.winnow.tokenizer.Tokenizers;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TokenizeCommandTest {
    private static final String TEXT = "Hello world, once upon a time.";

    private static Tokenizer tokenizer(Path file) {
        try (GgufFile f = GgufFile.open(file)) {
            return Tokenizers.fromGguf(f);
        }
    }

    @Test
    void idsAndPiecesMatchTheCoreTokenizer() {
        Path model = SharedData.stories();
        Tokenizer tok = tokenizer(model);
        int[] expected = tok.encode(TEXT, true, false);
        assertThat(expected[0]).isEqualTo(tok.bosId());

        Cli.Result r = Cli.run("tokenize", "-m", model, TEXT);
        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(lines.get(i)).startsWith(expected[i] + "\t" + tok.tokenText(expected[i]) + "\t\"");
        }

        Cli.Result ids = Cli.run("tokenize", "-m", model, "--ids", TEXT);
        assertThat(ids.out().strip()).isEqualTo(Arrays.stream(expected).mapToObj(Integer::toString)
                .collect(Collectors.joining(" ")));

        Cli.Result noBos = Cli.run("tokenize", "-m", model, "--ids", "--no-bos", TEXT);
        assertThat(noBos.out().strip()).isEqualTo(Arrays.stream(tok.encode(TEXT, false, false))
                .mapToObj(Integer::toString).collect(Collectors.joining(" ")));
    }

    @Test
    void byteLevelPiecesShowTheTextTheyDecodeTo() {
        Path vocab = SharedData.path("tokenizers/ggml-vocab-llama-bpe.gguf");
        Cli.Result r = Cli.run("tokenize", "-m", vocab, "--no-bos", "Hello world über");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("\\d+\tĠworld\t\" world\"");
        // 'ü' is the two bytes C3 BC, shown by byte-level BPE as 'Ã¼'; the text column has the character.
        assertThat(r.out()).containsPattern("\\d+\tĠÃ¼\\S*\t\" ü");
    }

    @Test
    void parseSpecial() {
        Path model = SharedData.stories();
        Tokenizer tok = tokenizer(model);
        String text = "a</s>b";
        Cli.Result plain = Cli.run("tokenize", "-m", model, "--ids", "--no-bos", text);
        Cli.Result special = Cli.run("tokenize", "-m", model, "--ids", "--no-bos", "--parse-special", text);
        assertThat(special.out().strip().split(" ")).contains(Integer.toString(tok.eosId()));
        assertThat(plain.out().strip().split(" ")).doesNotContain(Integer.toString(tok.eosId()));
    }

    @Test
    void vocabOnlyFile() {
        Path vocab = SharedData.path("tokenizers/ggml-vocab-llama-spm.gguf");
        Tokenizer tok = tokenizer(vocab);
        Cli.Result r = Cli.run("tokenize", "-m", vocab, "--ids", TEXT);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo(Arrays.stream(tok.encode(TEXT, tok.addBosByDefault(), false))
                .mapToObj(Integer::toString).collect(Collectors.joining(" ")));
    }
}
