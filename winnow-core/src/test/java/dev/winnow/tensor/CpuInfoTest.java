package dev.winnow.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CpuInfoTest {
    @Test
    void readsTheFirstModelName() {
        List<String> text = List.of("processor\t: 0", "vendor_id\t: AuthenticAMD", "model\t\t: 17",
                "model name\t: AMD EPYC 9R14   96-Core Processor", "processor\t: 1",
                "model name\t: something else");
        assertThat(CpuInfo.modelName(text)).isEqualTo("AMD EPYC 9R14 96-Core Processor");
    }

    @Test
    void noModelName() {
        assertThat(CpuInfo.modelName(List.of("processor : 0", "model : 17", "model name :  "))).isNull();
    }

    @Test
    void vectorWidthIsTheKernelsSpecies() {
        int bits = CpuInfo.vectorBits();
        assertThat(bits).isIn(0, 128, 256, 512);
        if (bits > 0) assertThat(CpuInfo.vectorSummary()).isEqualTo(bits + "-bit vectors (" + bits / 32 + " floats)");
        assertThat(CpuInfo.model()).isNotBlank();
    }
}
