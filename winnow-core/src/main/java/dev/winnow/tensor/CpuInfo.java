package dev.winnow.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the kernels run on, for benchmark reports: the CPU's model name (from /proc/cpuinfo where
 * it exists, else the JVM's architecture) and the vector width the kernels use.
 */
public final class CpuInfo {
    private CpuInfo() {
    }

    /** The CPU model, e.g. "AMD EPYC 9R14 96-Core Processor"; the OS architecture when unknown. */
    public static String model() {
        Path p = Path.of("/proc/cpuinfo");
        try {
            if (Files.isReadable(p)) {
                String m = modelName(Files.readAllLines(p));
                if (m != null) return m;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or unreadable: fall back below
        }
        return System.getProperty("os.arch") + " (model unknown)";
    }

    /** The first "model name" line's value in /proc/cpuinfo text, or null. */
    static String modelName(List<String> cpuinfo) {
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals("model name")) {
                String v = line.substring(colon + 1).trim().replaceAll("\\s+", " ");
                if (!v.isEmpty()) return v;
            }
        }
        return null;
    }

    /** Bits per float vector the kernels use; 0 when they run scalar (-Dwinnow.vector=false or no usable vectors). */
    public static int vectorBits() {
        return FloatTensor.USE_VECTOR ? FloatTensor.F_SPECIES.vectorBitSize() : 0;
    }

    /** E.g. "512-bit vectors (16 floats)" or "scalar (no vectors)". */
    public static String vectorSummary() {
        int bits = vectorBits();
        return bits == 0 ? "scalar (no vectors)" : bits + "-bit vectors (" + bits / 32 + " floats)";
    }
}
