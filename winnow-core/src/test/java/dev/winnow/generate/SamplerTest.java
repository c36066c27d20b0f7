package dev.winnow.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static float[] randomLogits(int n, long seed) {
        Random r = new Random(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) l[i] = (float) r.nextGaussian() * 3;
        return l;
    }

    private static int[] draw(GenerationParams p, float[] logits, int count) {
        Sampler s = new Sampler(p);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) out[i] = s.sample(logits, logits.length, out, i);
        return out;
    }

    @Test
    void sameSeedSameTokens() {
        float[] l = randomLogits(1000, 1);
        GenerationParams p = GenerationParams.builder().temperature(1.2f).seed(42).build();
        assertThat(draw(p, l, 200)).containsExactly(draw(p, l, 200));
        int[] other = draw(p.toBuilder().seed(43).build(), l, 200);
        assertThat(other).isNotEqualTo(draw(p, l, 200));
    }

    @Test
    void temperatureZeroIsArgmax() {
        for (long seed = 0; seed < 20; seed++) {
            float[] l = randomLogits(500, seed);
            int best = Sampler.argmax(l, l.length);
            GenerationParams p = GenerationParams.builder().temperature(0).seed(seed).build();
            assertThat(new Sampler(p).sample(l, l.length, new int[0], 0)).isEqualTo(best);
        }
    }

    @Test
    void topKRestrictsToTheKBest() {
        float[] l = randomLogits(300, 5);
        Integer[] idx = new Integer[l.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (a, b) -> Float.compare(l[b], l[a]));
        Set<Integer> top3 = Set.of(idx[0], idx[1], idx[2]);
        GenerationParams p = GenerationParams.builder().temperature(5f).topK(3).topP(1f).minP(0f).seed(1).build();
        Set<Integer> seen = new HashSet<>();
        for (int t : draw(p, l, 500)) seen.add(t);
        assertThat(top3).containsAll(seen);
        assertThat(seen).hasSize(3);
    }

    @Test
    void minPDropsUnlikelyTokens() {
        float[] l = {10f, 9.5f, 0f, -1f};
        GenerationParams p = GenerationParams.builder().temperature(1f).topK(0).topP(1f).minP(0.1f).seed(3).build();
        for (int t : draw(p, l, 300)) assertThat(t).isIn(0, 1);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        float[] l = {5f, 4.9f, 0f, 0f, 0f};
        GenerationParams p = GenerationParams.builder().temperature(1f).topK(0).topP(0.5f).minP(0f).seed(3).build();
        for (int t : draw(p, l, 300)) assertThat(t).isEqualTo(0);
    }

    @Test
    void repetitionPenaltyLowersRecentTokens() {
        float[] l = {2f, 1.9f};
        GenerationParams p = GenerationParams.builder().temperature(0).repeatPenalty(1.5f).build();
        assertThat(new Sampler(p).sample(l, 2, new int[] {0}, 1)).isEqualTo(1);
        assertThat(new Sampler(p).sample(l, 2, new int[] {1}, 1)).isEqualTo(0);
    }

    @Test
    void frequencyPenaltyCountsEveryOccurrence() {
        // OpenAI: logit -= count × frequency + (count > 0) × presence. Token 0 occurs twice:
        // 2.0 - 2 × 0.06 = 1.88 < 1.9, so token 1 wins; with one occurrence 1.94 > 1.9 keeps token 0.
        float[] l = {2f, 1.9f, 0f};
        GenerationParams p = GenerationParams.builder().temperature(0).frequencyPenalty(0.06f).build();
        assertThat(new Sampler(p).sample(l, 3, new int[] {0, 0, 2}, 3)).isEqualTo(1);
        assertThat(new Sampler(p).sample(l, 3, new int[] {0, 2, 2}, 3)).isEqualTo(0);
    }

    @Test
    void presencePenaltyIsSubtractedOncePerToken() {
        float[] l = {2f, 1.9f, 0f};
        GenerationParams small = GenerationParams.builder().temperature(0).presencePenalty(0.06f).build();
        GenerationParams large = GenerationParams.builder().temperature(0).presencePenalty(0.2f).build();
        // Present three times, but presence counts once: 2.0 - 0.06 = 1.94 still wins.
        assertThat(new Sampler(small).sample(l, 3, new int[] {0, 0, 0}, 3)).isEqualTo(0);
        assertThat(new Sampler(large).sample(l, 3, new int[] {0}, 1)).isEqualTo(1);
        // A negative presence penalty favours tokens already seen.
        GenerationParams negative = GenerationParams.builder().temperature(0).presencePenalty(-0.2f).build();
        assertThat(new Sampler(negative).sample(l, 3, new int[] {1}, 1)).isEqualTo(1);
    }

    @Test
    void penaltiesOnlyLookAtTheLastNTokens() {
        float[] l = {2f, 1.9f, 0f};
        GenerationParams p = GenerationParams.builder().temperature(0).presencePenalty(0.2f).repeatLastN(2).build();
        assertThat(new Sampler(p).sample(l, 3, new int[] {0, 2, 2}, 3)).isEqualTo(0);
        assertThat(new Sampler(p).sample(l, 3, new int[] {2, 0, 2}, 3)).isEqualTo(1);
    }

    @Test
    void logitBiasShiftsAndBansTokens() {
        float[] l = {2f, 1.9f, 0f};
        GenerationParams ban = GenerationParams.builder().temperature(0).logitBias(java.util.Map.of(0, -100f)).build();
        assertThat(new Sampler(ban).sample(l, 3, new int[0], 0)).isEqualTo(1);
        GenerationParams push = GenerationParams.builder().temperature(0).logitBias(java.util.Map.of(2, 2.5f)).build();
        assertThat(new Sampler(push).sample(l, 3, new int[0], 0)).isEqualTo(2);
        // Sampling at temperature 1 never draws a banned token.
        GenerationParams sampled = GenerationParams.builder().temperature(1).topK(0).minP(0).seed(3)
                .logitBias(java.util.Map.of(0, -100f)).build();
        for (int t : draw(sampled, l, 300)) assertThat(t).isNotEqualTo(0);
    }

    @Test
    void invalidParametersAreRejectedWithTheirName() {
        assertThatThrownBy(() -> GenerationParams.builder().presencePenalty(2.5f).build()).hasMessageContaining("presencePenalty");
        assertThatThrownBy(() -> GenerationParams.builder().frequencyPenalty(-3f).build()).hasMessageContaining("frequencyPenalty");
        assertThatThrownBy(() -> GenerationParams.builder().logitBias(java.util.Map.of(1, 101f)).build()).hasMessageContaining("logitBias");
        assertThatThrownBy(() -> GenerationParams.builder().topP(0).build()).hasMessageContaining("topP");
        assertThatThrownBy(() -> GenerationParams.builder().temperature(-1).build()).hasMessageContaining("temperature");
        assertThatThrownBy(() -> GenerationParams.builder().stop("").build()).hasMessageContaining("stop");
    }
}
