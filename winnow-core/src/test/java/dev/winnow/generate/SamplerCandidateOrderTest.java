package dev.winnow.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The full candidate sort (top-k 0) ranks by logit descending, then by lower id, treats −0 and 0
 * as equal, and never draws a −∞ (masked) id; with a tiny top-p only the first candidate is kept,
 * which exposes the order.
 */
class SamplerCandidateOrderTest {
    private static int firstCandidate(float[] logits, long seed) {
        Sampler s = new Sampler(GenerationParams.builder().temperature(1f).topK(0).topP(1e-6f).minP(0f).seed(seed).build());
        return s.sample(logits, logits.length, new int[0], 0);
    }

    @Test
    void highestLogitThenLowestId() {
        assertThat(firstCandidate(new float[] {1f, 3f, 3f, Float.NEGATIVE_INFINITY, 2f}, 1)).isEqualTo(1);
        assertThat(firstCandidate(new float[] {-5f, -1f, -2f, -1f}, 2)).isEqualTo(1);
        assertThat(firstCandidate(new float[] {-0f, 0f, -1f}, 3)).isEqualTo(0);
        assertThat(firstCandidate(new float[] {Float.NEGATIVE_INFINITY, -0f, 0f}, 3)).isEqualTo(1);
        assertThat(firstCandidate(new float[] {-Float.MAX_VALUE, Float.NEGATIVE_INFINITY, -3e38f}, 4)).isEqualTo(2);
    }

    @Test
    void orderMatchesAReferenceSortOnRandomLogits() {
        Random r = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            float[] l = new float[1 + r.nextInt(300)];
            for (int i = 0; i < l.length; i++) {
                l[i] = switch (r.nextInt(4)) {
                    case 0 -> Float.NEGATIVE_INFINITY;
                    case 1 -> r.nextInt(3) - 1f; // many ties
                    default -> (float) (r.nextGaussian() * 10);
                };
            }
            int best = -1;
            for (int i = 0; i < l.length; i++) if (best < 0 || l[i] > l[best]) best = i;
            assertThat(firstCandidate(l, trial)).as("trial %d", trial).isEqualTo(best);
        }
    }

    @Test
    void maskedIdsAreNeverDrawn() {
        float[] l = new float[1000];
        java.util.Arrays.fill(l, Float.NEGATIVE_INFINITY);
        l[17] = -50f;
        l[901] = -51f;
        for (int seed = 0; seed < 50; seed++) {
            Sampler s = new Sampler(GenerationParams.builder().temperature(1f).topK(0).topP(1f).minP(0f).seed(seed).build());
            assertThat(s.sample(l, l.length, new int[0], 0)).isIn(17, 901);
        }
    }
}
