package dev.winnow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.winnow.SharedData;
import dev.winnow.tensor.FloatTensor;
import dev.winnow.tensor.GgmlType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Decoding with 8-bit activations ({@code Q8Activations}: the Q8_0 and Q4_0 kernels) against
 * llama.cpp's logits for the quantized file itself, which quantizes each matrix input to 8 bits
 * per block of 32 ({@code quantize_row_q8_0}: codes {@code round(x · 127 / max|x|)}, scale
 * {@code max|x| / 127} stored as f16). Decoded one token at a time (the 8-bit kernels are the
 * decoding path).
 *
 * <p>On the Q8_0 file every matrix is Q8_0, so llama.cpp's computation is ours up to float
 * summation order: the first ten positions agree to 1e-7. At position 10 a code lands on the
 * other side of a rounding boundary (a 1e-7 difference decides it), that position's keys and
 * values differ by one step of 1/127, and the peaked attention of this random model carries the
 * difference into every later row. So: the first rows exactly, every row closer to llama.cpp's
 * int8 answer than the float-activation answer ({@code -deq}) is, and the argmax. The Q4_0 file's
 * output matrix is Q6_K (llama.cpp: 8-bit activations in blocks of 256; here float), so only the
 * average distance and the argmax are checked there.
 */
class Int8ActivationsReferenceTest {
    @BeforeAll
    static void readTokens() throws IOException {
        SyntheticReferenceTest.readTokens();
    }

    @ParameterizedTest(name = "{0} decoded token by token against {1}")
    @CsvSource({
        "models/synth-llama-Q8_0.gguf, reference/synth-llama-Q8_0.logits.f32, reference/synth-llama-Q8_0-deq.logits.f32, 10",
        "models/synth-llama-Q4_0.gguf, reference/synth-llama-Q4_0.logits.f32, reference/synth-llama-Q4_0-deq.logits.f32, 0",
    })
    void decodingMatchesLlamaCppOnTheQuantizedFile(String model, String int8Ref, String floatRef, int exactRows) throws IOException {
        GgmlType type = model.contains("Q8_0") ? GgmlType.Q8_0 : GgmlType.Q4_0;
        assumeThat(FloatTensor.of(type, MemorySegment.ofArray(new byte[34]), 32).takesQ8Activations())
                .as("8-bit activation kernels on this CPU (512-bit vectors)").isTrue();
        float[][] ref = ReferenceLogits.read(SharedData.path(int8Ref), 512);
        float[][] deq = ReferenceLogits.read(SharedData.path(floatRef), 512);
        float[][] ours = SyntheticReferenceTest.logits(model, 1);
        assertThat(ours.length).isEqualTo(ref.length);
        double ourDistance = 0, floatDistance = 0;
        int agree = 0;
        for (int i = 0; i < ref.length; i++) {
            double e = ReferenceLogits.relativeL2(ours[i], ref[i]);
            if (i < exactRows) assertThat(e).as("row %d", i).isLessThan(1e-5);
            assertThat(e).as("row %d", i).isLessThan(3e-2);
            ourDistance += e;
            floatDistance += ReferenceLogits.relativeL2(deq[i], ref[i]);
            if (ReferenceLogits.argmax(ours[i]) == ReferenceLogits.argmax(ref[i])) agree++;
        }
        assertThat(ourDistance / ref.length).as("mean distance to llama.cpp's int8 answer (the float answer's: %.3e)",
                floatDistance / ref.length).isLessThan(0.8 * floatDistance / ref.length);
        assertThat(agree).as("argmax agreement").isGreaterThanOrEqualTo((int) Math.ceil(0.9 * ref.length));
    }
}
