package dev.winnow.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.kv.codec.ChannelGroupStore;
import dev.winnow.kv.codec.KvCodec;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rollback seam against an independent oracle: a store that had only the kept rows appended
 * (keys and values bit for bit, positions, statistics, step stamps) — for a chain prefix and a
 * tree path, in f32, f16, int8 (channel-smoothed keys) and int4 stores.
 */
class HeadStoreRollbackTest {
    private static final int HS = 32;

    private static KvCodec codec(String name) {
        return switch (name) {
            case "f32" -> KvCodec.F32;
            case "f16" -> KvCodec.F16;
            case "int8" -> KvCodec.int8(32, true);
            default -> KvCodec.byBits(4, 32);
        };
    }

    private static float[] vec(SplittableRandom r) {
        float[] v = new float[HS];
        for (int i = 0; i < HS; i++) v[i] = (float) r.nextGaussian() * (i == 3 ? 8 : 1);
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"f32", "f16", "int8", "int4"})
    void rollbackLeavesExactlyTheStoreOfTheKeptRows(String name) {
        SplittableRandom r = new SplittableRandom(5);
        float[][] base = new float[10][], draft = new float[6][];
        for (int i = 0; i < base.length; i++) base[i] = vec(r);
        for (int i = 0; i < draft.length; i++) draft[i] = vec(r);
        for (int[] keep : new int[][] {{0, 1, 2}, {0, 2, 5}, {}, {0, 1, 2, 3, 4, 5}}) {
            HeadStore a = new HeadStore(codec(name).newStore(HS), codec(name).newStore(HS));
            HeadStore oracle = new HeadStore(codec(name).newStore(HS), codec(name).newStore(HS));
            for (int i = 0; i < base.length; i++) {
                a.append(base[i], 0, base[i], 0, i, i);
                oracle.append(base[i], 0, base[i], 0, i, i);
            }
            a.observe(probs(base.length), base.length, 1, 9); // statistics before the draft stay
            oracle.observe(probs(base.length), base.length, 1, 9);
            for (int i = 0; i < draft.length; i++) a.append(draft[i], 0, draft[i], 0, 100 + i, 50 + i);
            for (int j = 0; j < keep.length; j++) {
                float[] v = draft[keep[j]];
                oracle.append(v, 0, v, 0, 100 + keep[j], 50 + keep[j]);
            }
            assertThat(a.supportsRollback()).isTrue();
            a.rollback(base.length, keep, keep.length);
            assertThat(a.size()).isEqualTo(oracle.size());
            float[] x = new float[HS], y = new float[HS];
            for (int i = 0; i < a.size(); i++) {
                assertThat(a.position(i)).isEqualTo(oracle.position(i));
                assertThat(a.insertedStep(i)).isEqualTo(oracle.insertedStep(i));
                assertThat(a.accumulatedAttention(i)).isEqualTo(oracle.accumulatedAttention(i));
                assertThat(a.hits(i)).isEqualTo(oracle.hits(i));
                a.key(i, x, 0);
                oracle.key(i, y, 0);
                assertThat(x).containsExactly(y);
                a.value(i, x, 0);
                oracle.value(i, y, 0);
                assertThat(x).containsExactly(y);
            }
        }
    }

    private static float[] probs(int n) {
        float[] p = new float[n];
        for (int i = 0; i < n; i++) p[i] = (i % 3 == 0 ? 3f : 1f) / (n + 2 * ((n + 2) / 3));
        return p;
    }

    @org.junit.jupiter.api.Test
    void storesSharingParametersRefuseAndBadKeepListsAreRejected() {
        HeadStore grouped = new HeadStore(new ChannelGroupStore(HS, 2, 32, "kivi2"), KvCodec.F32.newStore(HS));
        assertThat(grouped.supportsRollback()).isFalse();
        HeadStore s = new HeadStore(HS);
        for (int i = 0; i < 4; i++) s.append(new float[HS], 0, new float[HS], 0, i);
        assertThatThrownBy(() -> s.rollback(2, new int[] {1, 0}, 2)).hasMessageContaining("ascending distinct");
        assertThatThrownBy(() -> s.rollback(2, new int[] {0, 2}, 2)).hasMessageContaining("below 2");
        KvCache cache = new KvCache(2, 1, HS);
        KvCache.Checkpoint cp = cache.checkpoint();
        for (int l = 0; l < 2; l++) cache.head(l, 0).append(new float[HS], 0, new float[HS], 0, 0);
        cache.advance(1);
        cache.rollback(cp, new int[0], 0);
        assertThat(cache.head(1, 0).size()).isZero();
        assertThat(cache.step()).isZero();
    }
}
