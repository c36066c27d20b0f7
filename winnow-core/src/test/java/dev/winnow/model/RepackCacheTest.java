package dev.winnow.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.OwnWinnowCache;
import dev.winnow.SharedData;
import dev.winnow.generate.Session;
import dev.winnow.tensor.InterleavedTensor;
import dev.winnow.tensor.Parallel;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The repack cache file: written on the first repacked load, mapped on later ones with the same
 * greedy output and logits as the plain mapping, and when it is truncated, damaged, stale or from
 * another model, reported and rebuilt — never read as weights.
 */
@ExtendWith(OwnWinnowCache.class)
class RepackCacheTest {
    @TempDir
    Path dir;

    @org.junit.jupiter.api.BeforeEach
    void repackingHappensOnThisCpu() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dev.winnow.tensor.Repacker.repacks(dev.winnow.tensor.GgmlType.Q8_0, 64)
                        && dev.winnow.tensor.Repacker.repacks(dev.winnow.tensor.GgmlType.Q4_0, 64),
                "Q8_0/Q4_0 are not repacked on this CPU (no 16-lane kernels)");
    }

    record Run(RepackCache.Result result, List<Integer> tokens, List<float[]> logits) {
    }

    private static Run greedy(Path model, boolean repack) {
        try (Parallel par = new Parallel(2); Model m = Model.load(model, par, repack)) {
            if (repack) {
                Matrix wq = m.weights().layers()[0].wq();
                assertThat(wq.tensor()).isInstanceOf(InterleavedTensor.class);
            }
            Session s = new Session(m, 128, 16);
            float[] logits = s.prefill(new int[] {1, 17, 42, 99, 7, 300, 12});
            List<Integer> out = new ArrayList<>();
            List<float[]> all = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                all.add(logits.clone());
                int next = 0;
                for (int v = 1; v < logits.length; v++) if (logits[v] > logits[next]) next = v;
                out.add(next);
                logits = s.decode(next);
            }
            return new Run(m.repackResult(), out, all);
        }
    }

    private static void assertSameAs(Run plain, Run packed) {
        assertThat(packed.tokens()).isEqualTo(plain.tokens());
        for (int i = 0; i < plain.logits().size(); i++) {
            assertThat(packed.logits().get(i)).as("logits before token %d", i).containsExactly(plain.logits().get(i));
        }
    }

    private Path copy(String model) throws IOException {
        Path p = dir.resolve(Path.of(model).getFileName());
        Files.copy(SharedData.path(model), p);
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"models/synth-llama-Q8_0.gguf", "models/synth-llama-Q4_0.gguf"})
    void theFirstLoadWritesTheFileAndLaterLoadsMapItWithThePlainPathsOutput(String name) throws IOException {
        Path model = copy(name);
        Run plain = greedy(model, false);
        Run first = greedy(model, true);
        assertThat(first.result().source()).isEqualTo(RepackCache.Source.WRITTEN);
        assertThat(first.result().file()).exists();
        Run second = greedy(model, true);
        assertThat(second.result().source()).isEqualTo(RepackCache.Source.READ);
        assertThat(second.result().reason()).isNull();
        assertSameAs(plain, first);
        assertSameAs(plain, second);
    }

    @Test
    void aTruncatedFileIsRebuiltNotRead() throws IOException {
        Path model = copy("models/synth-llama-Q8_0.gguf");
        Run plain = greedy(model, false);
        Path file = greedy(model, true).result().file();
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size - 1000);
        }
        Run again = greedy(model, true);
        assertThat(again.result().source()).isEqualTo(RepackCache.Source.WRITTEN);
        assertThat(again.result().reason()).contains("truncated").contains(file.toString());
        assertThat(Files.size(file)).isEqualTo(size);
        assertSameAs(plain, again);
        assertThat(greedy(model, true).result().source()).isEqualTo(RepackCache.Source.READ);
    }

    @Test
    void aDamagedByteInTheWeightsIsCaughtByItsChecksum() throws IOException {
        Path model = copy("models/synth-llama-Q8_0.gguf");
        Run plain = greedy(model, false);
        Path file = greedy(model, true).result().file();
        long size = Files.size(file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            long at = size / 2;
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
            ch.write(b, at);
        }
        Run again = greedy(model, true);
        assertThat(again.result().source()).isEqualTo(RepackCache.Source.WRITTEN);
        assertThat(again.result().reason()).contains("checksum mismatch");
        assertSameAs(plain, again);
    }

    @Test
    void aFileMadeBeforeTheModelChangedIsStale() throws IOException {
        Path model = copy("models/synth-llama-Q4_0.gguf");
        Run plain = greedy(model, false);
        assertThat(greedy(model, true).result().source()).isEqualTo(RepackCache.Source.WRITTEN);
        // An in-place edit between the content key's samples keeps the key: the modification time tells.
        Files.setLastModifiedTime(model, FileTime.fromMillis(Files.getLastModifiedTime(model).toMillis() + 60_000));
        Run again = greedy(model, true);
        assertThat(again.result().source()).isEqualTo(RepackCache.Source.WRITTEN);
        assertThat(again.result().reason()).contains("stale").contains("modified");
        assertSameAs(plain, again);
    }

    @Test
    void aFileFromAnotherModelIsNotRead() throws IOException {
        Path q8 = copy("models/synth-llama-Q8_0.gguf");
        Path q4 = copy("models/synth-llama-Q4_0.gguf");
        Run plain = greedy(q4, false);
        Path q8File = greedy(q8, true).result().file();
        Path q4File = DerivedFiles.prepare(DerivedFiles.path(q4, RepackCache.KIND));
        Files.copy(q8File, q4File);
        Run again = greedy(q4, true);
        assertThat(again.result().source()).isEqualTo(RepackCache.Source.WRITTEN);
        assertThat(again.result().reason()).contains("another model");
        assertSameAs(plain, again);
    }

    @Test
    void aFileThatIsNotARepackFileIsNotRead() throws IOException {
        Path model = copy("models/synth-llama-Q8_0.gguf");
        Path file = DerivedFiles.prepare(DerivedFiles.path(model, RepackCache.KIND));
        Files.writeString(file, "{\"not\": \"weights\"}");
        Run again = greedy(model, true);
        assertThat(again.result().source()).isEqualTo(RepackCache.Source.WRITTEN);
        assertThat(again.result().reason()).contains("not a Winnow repack file");
        assertSameAs(greedy(model, false), again);
    }
}
