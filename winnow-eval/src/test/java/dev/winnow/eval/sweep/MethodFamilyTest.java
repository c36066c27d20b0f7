package dev.winnow.eval.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.eval.EvalException;
import dev.winnow.kv.codec.KvCodecs;
import dev.winnow.kv.policy.KvPolicies;
import dev.winnow.kv.policy.PolicyInfo;
import org.junit.jupiter.api.Test;

/** Every registered method has a family (so none is left out of a report), and composed specs take their component's. */
class MethodFamilyTest {
    @Test
    void everyRegisteredMethodHasAFamily() {
        for (PolicyInfo p : KvPolicies.all()) assertThat(MethodFamily.ofMethod(p.name())).as(p.name()).isNotNull();
        for (PolicyInfo c : KvCodecs.all()) {
            assertThat(MethodFamily.ofMethod(c.name())).as(c.name()).isNotEqualTo(MethodFamily.EVICTION);
        }
    }

    @Test
    void specsBelongToTheFamilyOfTheirNonEvictionComponent() {
        assertThat(MethodFamily.of("snapkv:budget=64,window=16")).isEqualTo(MethodFamily.EVICTION);
        assertThat(MethodFamily.of("full")).isEqualTo(MethodFamily.EVICTION);
        assertThat(MethodFamily.of("kivi:bits=2")).isEqualTo(MethodFamily.QUANTIZATION);
        assertThat(MethodFamily.of("window:budget=128+int4")).isEqualTo(MethodFamily.QUANTIZATION);
        assertThat(MethodFamily.of("k=int8,v=int4")).isEqualTo(MethodFamily.QUANTIZATION);
        assertThat(MethodFamily.of("h2o:budget=64+merge")).isEqualTo(MethodFamily.MERGING);
        assertThat(MethodFamily.of("h2o:budget=64+mikv")).isEqualTo(MethodFamily.QUANTIZATION);
        assertThat(MethodFamily.ofMethod("quest")).isEqualTo(MethodFamily.SPARSE);
    }

    @Test
    void anUnknownNameIsAnErrorNotASkip() {
        assertThatThrownBy(() -> MethodFamily.of("h2o+fancy:x=1")).isInstanceOf(EvalException.class)
                .hasMessage("no method family for 'fancy': add it to MethodFamily.BY_NAME");
    }
}
