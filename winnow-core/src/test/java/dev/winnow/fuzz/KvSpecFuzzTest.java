package dev.winnow.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.kv.policy.KvSpecException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/** The {@code --kv} spec parser and policy construction: a spec is accepted or refused with a one-line {@link KvSpecException}. */
class KvSpecFuzzTest {
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "3s")
    void parse(FuzzedDataProvider data) throws Exception {
        String text = data.consumeRemainingAsString();
        FuzzContract.expectOnly(() -> KvSpec.parse(text).newPolicy(), KvSpecException.class);
    }
}
