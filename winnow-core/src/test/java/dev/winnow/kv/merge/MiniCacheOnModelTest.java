package dev.winnow.kv.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.winnow.SharedData;
import dev.winnow.generate.Session;
import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvStats;
import dev.winnow.kv.codec.ComposedPolicy;
import dev.winnow.kv.codec.F32KeyStore;
import dev.winnow.kv.codec.F32Store;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import org.junit.jupiter.api.Test;

/**
 * MiniCache on stories260K (5 layers): only layers 2 and 3 (the pair from the middle) are merged,
 * and in them exactly the tokens whose two layers' vectors are within the angle — checked
 * against an f32 cache that ran the same prompt in one chunk (merging happens after the pass,
 * so both caches computed the same vectors).
 */
class MiniCacheOnModelTest {
    @Test
    void mergesOnlyThePairedLayersAndTheTokensWithinTheAngle() {
        try (Model model = Model.load(SharedData.path("models/stories260K.gguf"))) {
            int[] prompt = model.tokenizer().encode("Once upon a time, there was a little girl named Lily. She loved to"
                    + " play outside in the park. One day, she saw a big, red ball.");
            double angle = 45;
            Session plain = new Session(model, 256, 128);
            Session merged = new Session(model, 256, 128, KvSpec.parse("minicache:angle=" + angle).newPolicy());
            plain.prefill(prompt);
            merged.prefill(prompt);
            MiniCache mc = ((ComposedPolicy) merged.policy()).component(MiniCache.class);
            assertThat(mc.firstLayer()).isEqualTo(2);
            int hs = model.config().headSize();
            float cosMin = (float) Math.cos(Math.toRadians(angle));
            int mergedKeys = 0, mergedValues = 0, pairs = 0;
            for (int h = 0; h < model.config().kvHeads(); h++) {
                for (int l : new int[] {0, 1, 4}) {
                    assertThat(merged.cache().head(l, h).keyStore()).isInstanceOf(F32KeyStore.class);
                    assertThat(merged.cache().head(l, h).valueStore()).isInstanceOf(F32Store.class);
                }
                HeadStore a = plain.cache().head(2, h), b = plain.cache().head(3, h);
                HeadStore ma = merged.cache().head(2, h), mb = merged.cache().head(3, h);
                for (int kind = 0; kind < 2; kind++) {
                    MiniCacheStore sa = (MiniCacheStore) (kind == 0 ? ma.keyStore() : ma.valueStore());
                    MiniCacheStore sb = (MiniCacheStore) (kind == 0 ? mb.keyStore() : mb.valueStore());
                    float[] xa = new float[hs], xb = new float[hs], ya = new float[hs], yb = new float[hs];
                    for (int i = 0; i < prompt.length; i++) {
                        if (kind == 0) {
                            a.key(i, xa, 0);
                            b.key(i, xb, 0);
                        } else {
                            a.value(i, xa, 0);
                            b.value(i, xb, 0);
                        }
                        float na = MiniCache.norm(xa), nb = MiniCache.norm(xb);
                        boolean within = MiniCache.cosine(xa, xb, na, nb) >= cosMin;
                        pairs++;
                        assertThat(sa.isMerged(i)).as("layer 2 head %d token %d", h, i).isEqualTo(within);
                        assertThat(sb.isMerged(i)).isEqualTo(within);
                        sa.get(i, ya, 0);
                        sb.get(i, yb, 0);
                        if (within) {
                            if (kind == 0) mergedKeys++;
                            else mergedValues++;
                            // magnitudes restored, one shared direction
                            assertThat(MiniCache.norm(ya)).isCloseTo(na, offset(1e-5f * na));
                            assertThat(MiniCache.norm(yb)).isCloseTo(nb, offset(1e-5f * nb));
                            assertThat(MiniCache.cosine(ya, yb, MiniCache.norm(ya), MiniCache.norm(yb))).isCloseTo(1f, offset(1e-5f));
                        } else {
                            assertThat(ya).containsExactly(xa);
                            // layer 3's vectors come after layer 2's attention, which reads the
                            // merged store (its own dot kernel), not the plain cache's tiled keys:
                            // the same values up to the last bits of those scores
                            assertThat(yb).containsExactly(xb, offset(1e-5f));
                        }
                    }
                }
            }
            System.out.printf("minicache angle %.0f on stories260K layers 2-3: %d of %d key pairs merged, %d value pairs%n",
                    angle, mergedKeys, pairs / 2, mergedValues);
            assertThat(mergedKeys).isGreaterThan(0);
            KvStats st = merged.cache().stats();
            assertThat(st.keyVectors("minicache")).isEqualTo(2L * mergedKeys);
            assertThat(st.valueVectors("minicache")).isEqualTo(2L * mergedValues);
            assertThat(st.bytesUsed()).isLessThan(plain.cache().stats().bytesUsed());
            // decoding goes on merging the new tokens
            long before = st.keyVectors("minicache") + st.valueVectors("minicache");
            for (int t = 0; t < 40; t++) merged.decode(prompt[t]);
            KvStats after = merged.cache().stats();
            assertThat(after.keyVectors("minicache") + after.valueVectors("minicache")).isGreaterThan(before);
        }
    }
}
