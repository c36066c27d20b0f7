package dev.winnow.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.SharedData;
import dev.winnow.generate.Session;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Synthetic models against llama.cpp's logits for the token sequence of synthetic.json. */
class SyntheticReferenceTest {
    private static int[] tokens;

    @BeforeAll
    static void readTokens() throws IOException {
        JsonNode ref = new ObjectMapper().readTree(SharedData.path("reference/synthetic.json").toFile());
        JsonNode t = ref.get("tokens");
        tokens = new int[t.size()];
        for (int i = 0; i < tokens.length; i++) tokens[i] = t.get(i).asInt();
    }

    static float[][] logits(String model, int batch) {
        try (Model m = Model.load(SharedData.path(model))) {
            return new Session(m, m.config().contextLength(), batch).evaluate(tokens);
        }
    }

    @ParameterizedTest(name = "{0} within {2} of {1}")
    @CsvSource({
        "models/synth-llama.gguf, reference/synth-llama.logits.f32, 1e-4",
        "models/synth-llama-Q8_0-deq.gguf, reference/synth-llama-Q8_0-deq.logits.f32, 1e-4",
        "models/synth-llama-Q4_0-deq.gguf, reference/synth-llama-Q4_0-deq.logits.f32, 1e-4",
        "models/synth-llama-Q4_K_M-deq.gguf, reference/synth-llama-Q4_K_M-deq.logits.f32, 1e-4",
        "models/synth-llama-Q6_K-deq.gguf, reference/synth-llama-Q6_K-deq.logits.f32, 1e-4",
    })
    void floatModelsMatchLlamaCpp(String model, String reference, double tolerance) throws IOException {
        float[][] ref = ReferenceLogits.read(SharedData.path(reference), 512);
        float[][] ours = logits(model, 16);
        assertThat(ours.length).isEqualTo(ref.length);
        for (int i = 0; i < ref.length; i++) {
            assertThat(ReferenceLogits.relativeL2(ours[i], ref[i])).as("row %d", i).isLessThan(tolerance);
        }
    }

    @ParameterizedTest(name = "{0} against the float answer {1}")
    @CsvSource({
        "models/synth-llama-Q8_0.gguf, reference/synth-llama-Q8_0-deq.logits.f32",
        "models/synth-llama-Q4_0.gguf, reference/synth-llama-Q4_0-deq.logits.f32",
        "models/synth-llama-Q4_K_M.gguf, reference/synth-llama-Q4_K_M-deq.logits.f32",
        "models/synth-llama-Q6_K.gguf, reference/synth-llama-Q6_K-deq.logits.f32",
    })
    void quantizedModelsMatchTheirDequantizedTwin(String model, String reference) throws IOException {
        float[][] ref = ReferenceLogits.read(SharedData.path(reference), 512);
        float[][] batched = logits(model, 16);
        float[][] single = logits(model, 1);
        int agree = 0;
        for (int i = 0; i < ref.length; i++) {
            assertThat(ReferenceLogits.relativeL2(batched[i], ref[i])).as("batched row %d", i).isLessThan(3e-2);
            assertThat(ReferenceLogits.relativeL2(single[i], ref[i])).as("decode row %d", i).isLessThan(3e-2);
            if (ReferenceLogits.argmax(single[i]) == ReferenceLogits.argmax(ref[i])) agree++;
        }
        assertThat(agree).as("argmax agreement").isGreaterThanOrEqualTo((int) Math.ceil(0.9 * ref.length));
    }
}
