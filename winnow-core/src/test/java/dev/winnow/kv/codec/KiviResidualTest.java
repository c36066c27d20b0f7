package dev.winnow.kv.codec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * KIVI's full-precision residual as in the reference code (jy-yuan/KIVI, LlamaAttention_KIVI,
 * issue #20 item 5). The oracle replays the reference's decode-time bookkeeping token by token:
 * keys — {@code key_states_full} grows, and when its length reaches residual_length it is all
 * quantized and emptied; values — {@code value_states_full} grows, and when its length exceeds
 * residual_length its first token is quantized.
 */
class KiviResidualTest {
    @ParameterizedTest
    @CsvSource({"128, 32", "32, 32", "64, 16", "0, 32"})
    void fullPrecisionCountsFollowTheReference(int residual, int group) {
        ResidualStore keys = (ResidualStore) KvCodec.kiviKeys(2, group, residual).newStore(32);
        ResidualStore values = (ResidualStore) KvCodec.kiviValues(2, group, residual, 32).newStore(32);
        int keyFull = 0, valueFull = 0, maxKeyFull = 0;
        float[] v = new float[32];
        for (int t = 1; t <= 700; t++) {
            for (int c = 0; c < 32; c++) v[c] = (float) Math.sin(t * 0.37 + c);
            keys.append(v, 0);
            values.append(v, 0);
            // reference: key_states_full = cat(full, new); if len == residual_length: quantize all, full = None
            keyFull++;
            if (keyFull == (residual == 0 ? group : residual)) keyFull = 0;
            // reference: value_states_full = cat(full, new); if len > residual_length: quantize full[:1]
            valueFull++;
            if (valueFull > residual) valueFull--;
            maxKeyFull = Math.max(maxKeyFull, keyFull);
            assertThat(keys.residualSize()).as("keys in f32 after %d tokens", t).isEqualTo(keyFull);
            assertThat(values.residualSize()).as("values in f32 after %d tokens", t).isEqualTo(valueFull);
            assertThat(keys.size()).isEqualTo(t);
            assertThat(values.size()).isEqualTo(t);
        }
        assertThat(maxKeyFull).isEqualTo(Math.max(residual, group) - 1);
    }
}
