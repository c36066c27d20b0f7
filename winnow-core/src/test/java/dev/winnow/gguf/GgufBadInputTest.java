package dev.winnow.gguf;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.SharedData;
import dev.winnow.tensor.GgmlType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufBadInputTest {
    @TempDir
    Path dir;

    @Test
    void missingFile() {
        Path p = dir.resolve("nope.gguf");
        assertThatThrownBy(() -> GgufFile.open(p)).isInstanceOf(GgufException.class)
                .hasMessageContaining("nope.gguf").hasMessageContaining("no such file");
    }

    @Test
    void notAGgufFile() throws Exception {
        Path p = dir.resolve("readme.txt");
        Files.writeString(p, "hello, I am not a model");
        assertThatThrownBy(() -> GgufFile.open(p)).isInstanceOf(GgufException.class)
                .hasMessageContaining("readme.txt").hasMessageContaining("not a GGUF file");
    }

    @Test
    void emptyFile() throws Exception {
        Path p = dir.resolve("empty.gguf");
        Files.write(p, new byte[0]);
        assertThatThrownBy(() -> GgufFile.open(p)).isInstanceOf(GgufException.class).hasMessageContaining("not a GGUF file");
    }

    @Test
    void truncatedInTheHeader() throws Exception {
        byte[] all = Files.readAllBytes(SharedData.path("models/stories260K.gguf"));
        Path p = dir.resolve("cut.gguf");
        Files.write(p, Arrays.copyOf(all, 1000));
        assertThatThrownBy(() -> GgufFile.open(p)).isInstanceOf(GgufException.class)
                .hasMessageContaining("cut.gguf").hasMessageContaining("truncated");
    }

    @Test
    void truncatedInTheTensorData() throws Exception {
        byte[] all = Files.readAllBytes(SharedData.path("models/stories260K.gguf"));
        Path p = dir.resolve("cut-data.gguf");
        Files.write(p, Arrays.copyOf(all, all.length - 100));
        assertThatThrownBy(() -> GgufFile.open(p)).isInstanceOf(GgufException.class)
                .hasMessageContaining("truncated").hasMessageContaining("tensor");
    }

    @Test
    void unknownTensorType() throws Exception {
        Path p = dir.resolve("odd.gguf");
        new GgufWriter().putString("general.architecture", "llama")
                .addF32("weird", new long[] {8}, new float[8]).write(p);
        byte[] b = Files.readAllBytes(p);
        // The tensor info ends with: type (u32 = 0 for F32), offset (u64 = 0). Patch the type to 99.
        byte[] name = "weird".getBytes();
        int at = indexOf(b, name) + name.length + 4 + 8; // n_dims, one dim
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, 99);
        Files.write(p, b);
        assertThatThrownBy(() -> GgufFile.open(p)).isInstanceOf(GgufException.class)
                .hasMessageContaining("weird").hasMessageContaining("unknown tensor type code 99");
    }

    @Test
    void unsupportedVersion() throws Exception {
        Path p = dir.resolve("v1.gguf");
        new GgufWriter().putString("k", "v").write(p);
        byte[] b = Files.readAllBytes(p);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 1);
        Files.write(p, b);
        assertThatThrownBy(() -> GgufFile.open(p)).hasMessageContaining("version 1 is not supported");
    }

    @Test
    void writerRejectsMismatchedTensorData() {
        GgufWriter w = new GgufWriter().addTensor("t", GgmlType.Q8_0, new long[] {32},
                java.lang.foreign.MemorySegment.ofArray(new byte[10]));
        assertThatThrownBy(() -> w.write(dir.resolve("bad.gguf"))).hasMessageContaining("34 expected");
        assertThatThrownBy(() -> new GgufWriter().addTensor("t", GgmlType.Q8_0, new long[] {31}, dst -> { }))
                .hasMessageContaining("multiple of 32");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }
}
