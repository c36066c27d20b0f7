package dev.winnow.kv.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.OnStoriesModel;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fidelity of the codecs on stories260K over a 512-token greedy continuation, compared with the
 * f32 cache (teacher-forced top-1 agreement, as {@code winnow kv compare}).
 */
class CodecFidelityTest extends OnStoriesModel {
    static Fidelity fidelity;

    @BeforeAll
    static void measureFidelity() {
        fidelity = new Fidelity(model, 512);
    }

    static Fidelity.Result measure(String spec) {
        Fidelity.Result r = fidelity.run(spec);
        System.out.printf(Locale.ROOT, "fidelity %-40s %6.1f%%  %.2f bits/value  %s%n", spec, 100 * r.agreement(),
                r.stats().bitsPerValue(), r.stats().breakdown());
        return r;
    }

    /**
     * The criterion: int8 ≥ 99 % and KIVI-4 ≥ 97 %. int8 keys are channel-smoothed Q8_0
     * (see {@link Int8Store}); plain Q8_0 keys ({@code smooth=false}) lose to stories260K's outlier
     * key channel and are measured in {@link #otherVariantsAreMeasured}.
     */
    @Test
    void int8AndKivi4AgreeWithTheF32Cache() {
        assertThat(measure("f32").agreement()).isEqualTo(1.0);
        assertThat(measure("int8").agreement()).isGreaterThanOrEqualTo(0.99);
        assertThat(measure("k=int8,v=f32").agreement()).isGreaterThanOrEqualTo(0.99);
        assertThat(measure("k=f32,v=int8").agreement()).isGreaterThanOrEqualTo(0.99);
        assertThat(measure("kivi:bits=4").agreement()).isGreaterThanOrEqualTo(0.97);
    }

    /** The other variants: measured (numbers in docs/kv-compression.md) with floors a little below. */
    @Test
    void otherVariantsAreMeasured() {
        java.util.Map<String, Double> floors = new java.util.LinkedHashMap<>();
        floors.put("f16", 0.99);
        floors.put("bf16", 0.98);
        floors.put("int8:smooth=false", 0.975);
        floors.put("int4", 0.70);
        floors.put("int2", 0.15);
        floors.put("k=int8,v=int4", 0.95);
        floors.put("kivi:bits=2", 0.93); // 0.945 with the reference residual (0…127 keys in f32; was 128…159: 0.97+)
        floors.put("kivi:bits=4,residual=0", 0.97);
        floors.put("kivi:bits=2,residual=32", 0.80); // 0.824 with the reference residual (0…31 keys in f32)
        floors.put("gear:bits=2,residual=32", 0.94);
        floors.put("gear:bits=2,residual=32,rank=0", 0.91);
        floors.put("mixed", 0.80);
        floors.put("mixed:balance=false", 0.60);
        floors.put("mixed:high=8,low=4", 0.96);
        floors.put("h2o:budget=64+mikv", 0.80);
        floors.put("h2o:budget=64+mikv:low=4", 0.95);
        floors.put("h2o:budget=128+mikv", 0.93);
        floors.put("h2o:budget=64", 0.92);
        floors.put("h2o:budget=64+merge", 0.92);
        floors.put("tova:budget=32+merge", 0.89);
        floors.put("snapkv:budget=64,window=16,trigger=decode+merge", 0.92);
        floors.put("minicache", 0.92);
        floors.put("minicache:angle=45", 0.84);
        floors.put("snapkv:budget=256,window=16,slack=0,trigger=decode+kivi:bits=2,residual=32", 0.81); // 0.836 with the reference residual
        floors.forEach((spec, floor) -> assertThat(measure(spec).agreement()).as(spec).isGreaterThanOrEqualTo(floor));
    }
}
