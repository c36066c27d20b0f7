package dev.winnow.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.SharedData;
import dev.winnow.gguf.GgufFile;
import dev.winnow.gguf.GgufTensorInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every tensor of a quantized file decodes to llama.cpp's reference dequantization (the -deq twin). */
class DequantizationTest {
    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_0"})
    void everyTensorMatchesTheDequantizedTwin(String type) {
        try (GgufFile q = GgufFile.open(SharedData.path("models/synth-llama-" + type + ".gguf"));
             GgufFile deq = GgufFile.open(SharedData.path("models/synth-llama-" + type + "-deq.gguf"))) {
            assertThat(q.tensors().keySet()).containsExactlyInAnyOrderElementsOf(deq.tensors().keySet());
            int quantized = 0;
            for (GgufTensorInfo t : q.tensors().values()) {
                GgufTensorInfo d = deq.tensor(t.name());
                assertThat(d.type()).isEqualTo(GgmlType.F32);
                assertThat(d.shape()).containsExactly(t.shape());
                FloatTensor ours = FloatTensor.of(t.type(), q.tensorData(t), t.elementCount());
                float[] got = ours.toFloatArray();
                float[] want = FloatTensor.of(GgmlType.F32, deq.tensorData(d), d.elementCount()).toFloatArray();
                float maxAbs = 0, maxDiff = 0;
                for (int i = 0; i < want.length; i++) {
                    maxAbs = Math.max(maxAbs, Math.abs(want[i]));
                    maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
                }
                assertThat(maxDiff).as("%s (%s)", t.name(), t.type()).isLessThanOrEqualTo(1e-6f * maxAbs);
                if (t.type() != GgmlType.F32) quantized++;
            }
            assertThat(quantized).as("quantized tensors checked").isGreaterThan(0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_0"})
    void vectorDotMatchesScalarDotAndDequantizedDot(String type) {
        try (GgufFile q = GgufFile.open(SharedData.path("models/synth-llama-" + type + ".gguf"))) {
            GgufTensorInfo t = q.tensor("blk.0.ffn_up.weight");
            FloatTensor w = FloatTensor.of(t.type(), q.tensorData(t), t.elementCount());
            int cols = (int) t.dim(0);
            java.util.Random r = new java.util.Random(1);
            float[] x = new float[cols];
            for (int i = 0; i < cols; i++) x[i] = (float) r.nextGaussian();
            float[] row = new float[cols];
            for (int rowIdx = 0; rowIdx < 8; rowIdx++) {
                w.dequantize((long) rowIdx * cols, row, 0, cols);
                double ref = 0;
                for (int i = 0; i < cols; i++) ref += (double) row[i] * x[i];
                float vec = w.dot((long) rowIdx * cols, x, 0, cols);
                float scalar = w instanceof Q8_0Tensor q8 ? q8.scalarDot((long) rowIdx * cols, x, 0, cols)
                        : ((Q4_0Tensor) w).scalarDot((long) rowIdx * cols, x, 0, cols);
                assertThat((double) vec).isCloseTo(ref, org.assertj.core.data.Offset.offset(1e-3 * (1 + Math.abs(ref))));
                assertThat((double) scalar).isCloseTo(ref, org.assertj.core.data.Offset.offset(1e-3 * (1 + Math.abs(ref))));
            }
        }
    }
}
