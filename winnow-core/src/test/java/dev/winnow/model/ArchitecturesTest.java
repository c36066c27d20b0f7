package dev.winnow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.SharedData;
import dev.winnow.gguf.GgufFile;
import dev.winnow.gguf.GgufWriter;
import dev.winnow.generate.ContextOverflowException;
import dev.winnow.generate.Session;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each architecture against an independent float64 forward pass of the same weights. */
class ArchitecturesTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3"})
    void logitsMatchAFloat64Reference(String arch) {
        // head size 16 with 4 heads: q dimension 64 differs from the model dimension 48 (as in qwen3).
        TinyModel tiny = new TinyModel(arch, 48, 2, 4, 2, 16, 80, 512, 11);
        Path file = dir.resolve(arch + ".gguf");
        tiny.write(file, SharedData.path("models/stories260K.gguf"));
        int[] tokens = {1, 40, 300, 7, 511, 256, 90, 12, 13, 14, 200, 3};
        double[][] ref = tiny.reference(tokens);
        try (Model m = Model.load(file)) {
            assertThat(m.config().architecture().ggufName()).isEqualTo(arch);
            for (int batch : new int[] {1, 5}) {
                float[][] ours = new Session(m, 64, batch).evaluate(tokens);
                for (int t = 0; t < tokens.length; t++) {
                    double num = 0, den = 0;
                    for (int i = 0; i < ref[t].length; i++) {
                        double d = ours[t][i] - ref[t][i];
                        num += d * d;
                        den += ref[t][i] * ref[t][i];
                    }
                    assertThat(Math.sqrt(num / den)).as("%s batch %d position %d", arch, batch, t).isLessThan(1e-5);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"linear", "yarn", "llama3"})
    void ropeScalingMatchesAFloat64Reference(String scaling) {
        TinyModel tiny = new TinyModel(scaling.equals("yarn") ? "qwen2" : "llama", 32, 1, 2, 2, 16, 32, 512, 5);
        tiny.ropeScaling = scaling;
        tiny.ropeFactor = 4f;
        tiny.ropeOriginalContext = 64;
        if (scaling.equals("llama3")) {
            float[] f = new float[8];
            for (int i = 0; i < 8; i++) f[i] = 1 + i; // a different divisor per pair
            tiny.tensors.put("rope_freqs.weight", f);
            tiny.shapes.put("rope_freqs.weight", new long[] {8});
        }
        Path file = dir.resolve(scaling + ".gguf");
        tiny.write(file, SharedData.path("models/stories260K.gguf"));
        int[] tokens = new int[40];
        for (int i = 0; i < tokens.length; i++) tokens[i] = (i * 37 + 1) % 512;
        double[][] ref = tiny.reference(tokens);
        try (Model m = Model.load(file)) {
            assertThat(m.config().ropeScaling().type().name()).isEqualToIgnoringCase(scaling);
            float[][] ours = new Session(m, 256, 8).evaluate(tokens);
            for (int t = 0; t < tokens.length; t++) {
                double num = 0, den = 0;
                for (int i = 0; i < ref[t].length; i++) {
                    num += (ours[t][i] - ref[t][i]) * (ours[t][i] - ref[t][i]);
                    den += ref[t][i] * ref[t][i];
                }
                assertThat(Math.sqrt(num / den)).as("%s position %d", scaling, t).isLessThan(1e-5);
            }
        }
    }

    @Test
    void unknownRopeScalingIsNamed() {
        TinyModel tiny = new TinyModel("llama", 32, 1, 2, 2, 16, 32, 512, 5);
        tiny.ropeScaling = "longrope";
        Path file = dir.resolve("longrope.gguf");
        tiny.write(file, SharedData.path("models/stories260K.gguf"));
        assertThatThrownBy(() -> Model.load(file)).hasMessageContaining("unsupported rope scaling 'longrope'")
                .hasMessageContaining("yarn");
    }

    @Test
    void qwen2SyntheticModelMatchesLlamaCpp() throws Exception {
        int[] tokens = readTokens();
        float[][] ref = ReferenceLogits.read(SharedData.path("reference/synth-qwen2.logits.f32"), 512);
        try (Model m = Model.load(SharedData.path("models/synth-qwen2.gguf"))) {
            float[][] ours = new Session(m, 256, 16).evaluate(tokens);
            for (int i = 0; i < ref.length; i++) {
                assertThat(ReferenceLogits.relativeL2(ours[i], ref[i])).as("row %d", i).isLessThan(1e-4);
            }
        }
    }

    static int[] readTokens() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(SharedData.path("reference/synthetic.json").toFile());
        int[] t = new int[json.get("tokens").size()];
        for (int i = 0; i < t.length; i++) t[i] = json.get("tokens").get(i).asInt();
        return t;
    }

    @Test
    void unsupportedArchitectureIsNamed() {
        Path file = dir.resolve("mamba.gguf");
        GgufWriter w = new GgufWriter().putString("general.architecture", "mamba");
        try (GgufFile v = GgufFile.open(SharedData.path("models/stories260K.gguf"))) {
            for (String k : v.metadataKeys()) if (k.startsWith("tokenizer.")) w.put(k, v.metadataTypes().get(k), v.get(k));
        }
        w.write(file);
        assertThatThrownBy(() -> Model.load(file)).isInstanceOf(ModelException.class)
                .hasMessageContaining("unsupported architecture 'mamba'").hasMessageContaining("llama");
    }

    @Test
    void missingTensorIsNamed() {
        TinyModel tiny = new TinyModel("llama", 32, 1, 2, 2, 16, 32, 512, 1);
        tiny.tensors.remove("blk.0.ffn_up.weight");
        tiny.shapes.remove("blk.0.ffn_up.weight");
        Path file = dir.resolve("broken.gguf");
        tiny.write(file, SharedData.path("models/stories260K.gguf"));
        assertThatThrownBy(() -> Model.load(file)).hasMessageContaining("missing tensor 'blk.0.ffn_up.weight'");
    }

    @Test
    void promptLongerThanTheContextIsRejected() {
        try (Model m = Model.load(SharedData.path("models/stories260K.gguf"))) {
            Session s = new Session(m, 16, 8);
            int[] prompt = new int[17];
            java.util.Arrays.fill(prompt, 1);
            assertThatThrownBy(() -> s.prefill(prompt)).isInstanceOf(ContextOverflowException.class)
                    .hasMessageContaining("a prompt of 17 tokens").hasMessageContaining("context length 16");
            assertThat(s.position()).isZero();
            assertThat(s.cache().stats().totalEntries()).isZero();
        }
    }
}
