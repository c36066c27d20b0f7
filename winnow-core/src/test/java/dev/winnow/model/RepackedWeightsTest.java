package dev.winnow.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.SharedData;
import dev.winnow.generate.Session;
import dev.winnow.tensor.InterleavedTensor;
import dev.winnow.tensor.Parallel;
import dev.winnow.tensor.Repacker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Greedy decoding with the weights repacked at load equals the plain mapping, logits bit for bit. */
class RepackedWeightsTest {
    record Run(List<Integer> tokens, List<float[]> logits) {
    }

    private static Run greedy(String model, boolean repack, int steps) {
        try (Parallel par = new Parallel(2); Model m = Model.load(SharedData.path(model), par, repack)) {
            assertThat(m.repacked()).isEqualTo(repack);
            if (repack) {
                Matrix wq = m.weights().layers()[0].wq();
                assertThat(wq.tensor() instanceof InterleavedTensor)
                        .as("%s repacked", wq.type()).isEqualTo(Repacker.repacks(wq.type(), wq.cols()));
            }
            Session s = new Session(m, 256, 16);
            float[] logits = s.prefill(new int[] {1, 17, 42, 99, 7, 300, 12});
            List<Integer> out = new ArrayList<>();
            List<float[]> all = new ArrayList<>();
            for (int i = 0; i < steps; i++) {
                all.add(logits.clone());
                int next = argmax(logits);
                out.add(next);
                logits = s.decode(next);
            }
            return new Run(out, all);
        }
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    @ParameterizedTest
    @ValueSource(strings = {"models/stories260K.gguf", "models/synth-llama-Q8_0.gguf", "models/synth-llama-Q4_0.gguf"})
    void greedyOutputEqualsThePlainPath(String model) {
        Run plain = greedy(model, false, 24);
        Run packed = greedy(model, true, 24);
        assertThat(packed.tokens()).isEqualTo(plain.tokens());
        for (int i = 0; i < plain.logits().size(); i++) {
            assertThat(packed.logits().get(i)).as("logits before token %d", i).containsExactly(plain.logits().get(i));
        }
    }
}
