package dev.winnow.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.winnow.gguf.GgufException;
import dev.winnow.gguf.GgufFile;
import dev.winnow.gguf.GgufTensorInfo;
import dev.winnow.model.Model;
import dev.winnow.model.ModelException;
import dev.winnow.template.ChatTemplate;
import dev.winnow.template.TemplateException;
import dev.winnow.tensor.Parallel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The GGUF reader and everything a model file feeds at load: header, metadata of every type,
 * tensor infos and data ranges, the tokenizer, the chat template, the model config and weights.
 * Allowed failures: {@link GgufException} (bad file), {@link ModelException} (a file Winnow
 * cannot run), {@link IllegalArgumentException} (no or unsupported tokenizer, unsupported tensor
 * type), {@link TemplateException} (a stored template that does not parse).
 */
class GgufFuzzTest {
    private static final Path FILE = tempFile();
    private static final Parallel ONE_THREAD = new Parallel(1);

    private static Path tempFile() {
        try {
            Path dir = Files.createTempDirectory("winnow-fuzz-gguf");
            dir.toFile().deleteOnExit();
            Path f = dir.resolve("input.gguf");
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "3s")
    void open(byte[] bytes) throws Exception {
        Files.write(FILE, bytes);
        FuzzContract.expectOnly(() -> {
            try (GgufFile f = GgufFile.open(FILE)) {
                for (String key : f.metadataKeys()) f.get(key);
                for (GgufTensorInfo t : f.tensors().values()) f.tensorData(t);
                ChatTemplate.fromGguf(f);
            }
        }, GgufException.class, TemplateException.class);
        FuzzContract.expectOnly(() -> {
            try (Model m = Model.load(FILE, ONE_THREAD, false)) {
                m.config();
            }
        }, GgufException.class, ModelException.class, IllegalArgumentException.class);
    }
}
