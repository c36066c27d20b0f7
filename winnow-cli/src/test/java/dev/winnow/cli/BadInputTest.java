package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.gguf.GgufFile;
import dev.winnow.gguf.GgufWriter;
import dev.winnow.tensor.GgmlType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every user error: exit code != 0, exactly one stderr line "winnow: …" naming the problem, no stack trace. */
class BadInputTest {
    @TempDir
    Path dir;

    private static void assertOneLineError(Cli.Result r, String... fragments) {
        assertThat(r.exit()).as(r.err()).isNotZero();
        assertThat(r.errLines()).as(r.err()).hasSize(1);
        String line = r.errLines().getFirst();
        assertThat(line).startsWith("winnow: ").doesNotContain("Exception").doesNotContain("\tat ");
        for (String f : fragments) assertThat(line).contains(f);
    }

    @Test
    void missingFile() {
        Path missing = dir.resolve("nope.gguf");
        assertOneLineError(Cli.run("generate", "-m", missing, "-p", "hi"), "nope.gguf", "no such file");
        assertOneLineError(Cli.run("inspect", missing), "nope.gguf", "no such file");
        assertOneLineError(Cli.run("tokenize", "-m", missing, "hi"), "nope.gguf", "no such file");
        assertOneLineError(Cli.run("bench", "-m", missing), "nope.gguf", "no such file");
        assertOneLineError(Cli.run("generate", "-m", SharedData.stories(), "--prompt-file", dir.resolve("p.txt")),
                "p.txt", "no such file");
    }

    @Test
    void truncatedGguf() throws Exception {
        Path f = dir.resolve("truncated.gguf");
        byte[] head = Arrays.copyOf(Files.readAllBytes(SharedData.stories()), 1000);
        Files.write(f, head);
        assertOneLineError(Cli.run("generate", "-m", f, "-p", "hi"), "truncated.gguf", "truncated");
        assertOneLineError(Cli.run("inspect", f), "truncated");
    }

    @Test
    void notGguf() throws Exception {
        Path f = dir.resolve("notes.txt");
        Files.writeString(f, "these are not the weights you are looking for\n");
        assertOneLineError(Cli.run("generate", "-m", f, "-p", "hi"), "notes.txt", "not a GGUF file");
    }

    @Test
    void unknownTensorTypeCode() throws Exception {
        Path f = dir.resolve("badtype.gguf");
        String name = "token_embd.weight";
        new GgufWriter().putString("general.architecture", "llama")
                .addF32(name, new long[] {32, 2}, new float[64]).write(f);
        byte[] bytes = Files.readAllBytes(f);
        int at = indexOf(bytes, name.getBytes(StandardCharsets.UTF_8));
        assertThat(at).isPositive();
        int typeOffset = at + name.length() + 4 + 2 * 8; // name, n_dims (u32), 2 dims (u64)
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bb.getInt(typeOffset)).isEqualTo(GgmlType.F32.code());
        bb.putInt(typeOffset, 99);
        Files.write(f, bytes);
        assertOneLineError(Cli.run("generate", "-m", f, "-p", "hi"), "badtype.gguf", "unknown tensor type code 99");
        assertOneLineError(Cli.run("inspect", f), "unknown tensor type code 99");
    }

    @Test
    void unsupportedArchitecture() {
        Path f = mambaFile(dir);
        assertOneLineError(Cli.run("generate", "-m", f, "-p", "hi"), "mamba", "unsupported architecture");
        assertOneLineError(Cli.run("bench", "-m", f), "mamba", "unsupported architecture");
    }

    @Test
    void promptLongerThanTheContext() {
        String prompt = "Once upon a time there was a little girl who lived in a village near the forest.";
        assertOneLineError(Cli.run("generate", "-m", SharedData.stories(), "-c", "16", "-p", prompt),
                "exceeds the context length 16");
    }

    @Test
    void badOptionValues() {
        Path model = SharedData.stories();
        assertOneLineError(Cli.run("generate", "-m", model, "-p", "x", "--temp", "-1"), "--temp");
        assertOneLineError(Cli.run("generate", "-m", model, "-p", "x", "--top-p", "0"), "--top-p");
        assertOneLineError(Cli.run("generate", "-m", model, "-p", "x", "-t", "0"), "threads");
        assertOneLineError(Cli.run("generate", "-m", model, "-p", "x", "-b", "0"), "batch");
        assertOneLineError(Cli.run("bench", "-m", model, "-r", "0"), "-r");
        Cli.Result r = Cli.run("synth", "-o", dir.resolve("x.gguf"), "--type", "Q5_K");
        assertOneLineError(r, "Q5_K", "Q8_0");
        assertThat(r.exit()).isEqualTo(2);
        assertOneLineError(Cli.run("synth", "-o", dir.resolve("x.gguf"), "--preset", "gpt-5"), "gpt-5", "tiny");
        assertOneLineError(Cli.run("synth", "-o", dir.resolve("x.gguf"), "--type", "Q9_9"), "Q9_9");
    }

    @Test
    void debugPrintsTheStackTrace() {
        Cli.Result r = Cli.run("--debug", "generate", "-m", dir.resolve("nope.gguf"), "-p", "hi");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.errLines().size()).isGreaterThan(1);
        assertThat(r.errLines().getLast()).startsWith("winnow: ");
        assertThat(r.err()).contains("GgufException").contains("\tat ");
        Cli.Result r2 = Cli.run("generate", "-m", dir.resolve("nope.gguf"), "-p", "hi", "--debug");
        assertThat(r2.err()).contains("\tat ");
    }

    /** A GGUF file with general.architecture = mamba, the stories260K tokenizer and one tensor. */
    static Path mambaFile(Path dir) {
        Path f = dir.resolve("mamba.gguf");
        GgufWriter w = new GgufWriter().putString("general.architecture", "mamba");
        try (GgufFile vocab = GgufFile.open(SharedData.stories())) {
            for (String k : vocab.metadataKeys()) {
                if (k.startsWith("tokenizer.")) w.put(k, vocab.metadataTypes().get(k), vocab.get(k));
            }
        }
        w.putUInt32("mamba.embedding_length", 64);
        w.addF32("token_embd.weight", new long[] {64, 512}, new float[64 * 512]);
        w.write(f);
        return f;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
