package dev.winnow.kv.sparse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopKTest {
    @Test
    void selectsTheHighestScoresAscendingWithTiesToTheLowerIndex() {
        Random r = new Random(1);
        TopK top = new TopK();
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + r.nextInt(300), k = r.nextInt(n + 3), from = r.nextInt(50);
            float[] scores = new float[n + 5];
            for (int i = 0; i < scores.length; i++) scores[i] = r.nextInt(20) / 4f; // many ties
            int[] out = new int[n + 5];
            int got = top.select(scores, 5, from, from + n, k, out, 1);
            // reference: sort by score desc, index asc
            Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
            Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -scores[5 + i]).thenComparingInt(i -> i));
            int want = Math.min(k, n);
            int[] expected = IntStream.range(0, want).map(j -> from + order[j]).sorted().toArray();
            assertThat(got).isEqualTo(want);
            assertThat(Arrays.copyOfRange(out, 1, 1 + got)).as("trial %d", trial).containsExactly(expected);
        }
    }
}
