package dev.winnow.kv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.kv.codec.KvCodec;
import dev.winnow.model.Rope;
import dev.winnow.model.RopeScaling;
import dev.winnow.model.RopeType;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * StreamingLLM re-positions every kept key once per step. With a lossy key codec the stored key
 * must stay as accurate as one fresh encoding of the correctly rotated key, however many times it
 * is re-positioned (issue #20 item 1): the oracle is the raw key rotated straight to its final
 * position by the model's RoPE, encoded once.
 */
class RepositionLossyKeysTest {
    private static final int D = 64;
    private static final int STEPS = 1_100;

    @Test
    void int8KeysAfterThousandRepositioningsStayWithinOneEncodingError() {
        checkCodec(KvCodec.int8(32));
    }

    @Test
    void int4KeysAfterThousandRepositioningsStayWithinOneEncodingError() {
        checkCodec(KvCodec.asym(4, 32));
    }

    @Test
    void f16KeysAfterThousandRepositioningsStayWithinOneEncodingError() {
        checkCodec(KvCodec.F16);
    }

    private static void checkCodec(KvCodec codec) {
        Rope rope = new Rope(RopeType.NORMAL, D, D, 10000f, RopeScaling.NONE, null);
        Random rnd = new Random(7);
        int entries = 8;
        int start = 2_000;
        float[][] raw = new float[entries][D];
        HeadStore s = new HeadStore(codec.newStore(D), KvCodec.F32.newStore(D));
        float[] value = new float[D];
        for (int e = 0; e < entries; e++) {
            for (int c = 0; c < D; c++) raw[e][c] = (float) rnd.nextGaussian();
            float[] k = raw[e].clone();
            rope.rotate(k, 0, start + e);
            s.append(k, 0, value, 0, start + e);
        }
        // as StreamingLlmPolicy: every step, every kept entry moves one position down
        for (int step = 1; step <= STEPS; step++) {
            for (int e = 0; e < entries; e++) s.reposition(e, start + e - step, rope);
        }
        for (int e = 0; e < entries; e++) {
            int finalPos = start + e - STEPS;
            assertThat(s.position(e)).isEqualTo(finalPos);
            float[] exact = raw[e].clone();
            rope.rotate(exact, 0, finalPos);
            float freshErr = dist(fresh(codec, exact), exact);
            float[] atStart = raw[e].clone();
            rope.rotate(atStart, 0, start + e);
            float firstErr = dist(fresh(codec, atStart), atStart);
            float[] stored = new float[D];
            s.key(e, stored, 0);
            float single = Math.max(freshErr, firstErr);
            assertThat(dist(stored, exact)).as("%s key %d after %d re-positionings (one encoding's error %.5f)",
                    codec.name(), e, STEPS, single).isLessThanOrEqualTo(1.5f * single + 1e-4f);
            // attention reads the same key
            float[] q = new float[D];
            for (int c = 0; c < D; c++) q[c] = (float) rnd.nextGaussian();
            float[] score = new float[1];
            s.scoresAt(q, 0, new int[] {e}, 1, 1f, score);
            assertThat(score[0]).isCloseTo(dot(q, stored), org.assertj.core.data.Offset.offset(1e-3f));
        }
    }

    private static float[] fresh(KvCodec codec, float[] v) {
        var st = codec.newStore(D);
        st.append(v, 0);
        float[] out = new float[D];
        st.get(0, out, 0);
        return out;
    }

    private static float dist(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (double) (a[i] - b[i]);
        return (float) Math.sqrt(s);
    }

    private static float dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * (double) b[i];
        return (float) s;
    }
}
