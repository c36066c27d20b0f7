package dev.winnow.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.SharedData;
import dev.winnow.kv.KvCache;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One forward pass over rows of several sequences gives, row for row, bit for bit the logits
 * and cache entries of the single-cache forward pass of each sequence alone.
 */
class SequenceBatchForwardTest {

    private static int[] tokens(int n, int seed) {
        int[] t = new int[n];
        t[0] = 1;
        for (int i = 1; i < n; i++) t[i] = 3 + (i * 37 + seed * 101) % 500;
        return t;
    }

    private static int[] range(int from, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = from + i;
        return p;
    }

    private static KvCache cache(ModelConfig c) {
        return new KvCache(c.layers(), c.kvHeads(), c.headSize());
    }

    @ParameterizedTest
    @ValueSource(strings = {"stories260K.gguf", "synth-llama-Q8_0.gguf", "synth-llama-Q4_0.gguf", "synth-qwen2.gguf"})
    void rowsOfDifferentSequencesGiveTheLogitsOfEachSequenceAlone(String file) {
        try (Model model = Model.load(SharedData.path("models/" + file))) {
            Transformer tr = model.transformer();
            ModelConfig c = model.config();
            int vocab = c.vocabSize();
            // Three sequences with histories of 30, 7 and 0 tokens.
            int[] histA = tokens(30, 1), histB = tokens(7, 2);
            KvCache aloneA = cache(c), aloneB = cache(c), aloneC = cache(c);
            KvCache batchA = cache(c), batchB = cache(c), batchC = cache(c);
            ForwardState st = new ForwardState(c, 32);
            for (KvCache k : new KvCache[] {aloneA, batchA}) tr.forward(histA, range(0, 30), 30, k, st, false);
            for (KvCache k : new KvCache[] {aloneB, batchB}) tr.forward(histB, range(0, 7), 7, k, st, false);

            // A decodes one token, C's prompt chunk of 9 tokens, B decodes one token.
            int[] tokA = {77}, tokB = {123}, chunkC = tokens(9, 3);
            float[] expA = Arrays.copyOf(tr.forward(tokA, new int[] {30}, 1, aloneA, st, false), vocab);
            float[] expB = Arrays.copyOf(tr.forward(tokB, new int[] {7}, 1, aloneB, st, false), vocab);
            float[] expC = Arrays.copyOf(tr.forward(chunkC, range(0, 9), 9, aloneC, st, false), vocab);

            SequenceBatch batch = new SequenceBatch(16);
            batch.add(batchA, tokA, 0, 1, new int[] {30}, true);
            batch.add(batchC, chunkC, 0, 9, range(0, 9), true);
            batch.add(batchB, tokB, 0, 1, new int[] {7}, true);
            assertThat(batch.rows()).isEqualTo(11);
            assertThat(batch.logitRows()).isEqualTo(3);
            float[] got = tr.forward(batch, new ForwardState(c, 16));
            assertThat(Arrays.copyOfRange(got, 0, vocab)).as("A").containsExactly(expA);
            assertThat(Arrays.copyOfRange(got, vocab, 2 * vocab)).as("C").containsExactly(expC);
            assertThat(Arrays.copyOfRange(got, 2 * vocab, 3 * vocab)).as("B").containsExactly(expB);

            float[] k1 = new float[c.headSize()], k2 = new float[c.headSize()];
            for (KvCache[] pair : new KvCache[][] {{aloneA, batchA}, {aloneB, batchB}, {aloneC, batchC}}) {
                assertThat(pair[1].step()).isEqualTo(pair[0].step());
                for (int l = 0; l < c.layers(); l++) {
                    for (int h = 0; h < c.kvHeads(); h++) {
                        int size = pair[0].head(l, h).size();
                        assertThat(pair[1].head(l, h).size()).isEqualTo(size);
                        pair[0].head(l, h).key(size - 1, k1, 0);
                        pair[1].head(l, h).key(size - 1, k2, 0);
                        assertThat(k2).containsExactly(k1);
                        assertThat(pair[1].head(l, h).position(size - 1)).isEqualTo(pair[0].head(l, h).position(size - 1));
                    }
                }
            }

            // Two decoding rows differ from each other (the pass is not returning one row twice).
            assertThat(expA).isNotEqualTo(expB);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"stories260K.gguf"})
    void aCacheTakesPartOncePerPassAndTheCapacityIsChecked(String file) {
        try (Model model = Model.load(SharedData.path("models/" + file))) {
            KvCache k = cache(model.config());
            SequenceBatch batch = new SequenceBatch(4);
            batch.add(k, new int[] {1}, 0, 1, new int[] {0}, true);
            assertThatThrownBy(() -> batch.add(k, new int[] {1}, 0, 1, new int[] {1}, true))
                    .hasMessageContaining("once per pass");
            assertThatThrownBy(() -> batch.add(cache(model.config()), new int[5], 0, 5, new int[5], true))
                    .hasMessageContaining("cannot add 5 rows");
            SequenceBatch big = new SequenceBatch(8);
            big.add(k, new int[8], 0, 8, range(0, 8), false);
            assertThatThrownBy(() -> model.transformer().forward(big, new ForwardState(model.config(), 4)))
                    .hasMessageContaining("batch of 8 tokens");
        }
    }
}
