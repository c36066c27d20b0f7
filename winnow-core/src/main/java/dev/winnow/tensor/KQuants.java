package dev.winnow.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Shared pieces of the GGML K-quant formats (Q4_K, Q5_K): the 12-byte field that packs eight
 * 6-bit sub-block scales and eight 6-bit sub-block mins ({@code get_scale_min_k4} in ggml).
 *
 * <p>Bytes 0–3 hold the low 6 bits of scales 0–3 (top 2 bits: bits 4–5 of scales 4–7), bytes
 * 4–7 the low 6 bits of mins 0–3 (top 2 bits: bits 4–5 of mins 4–7), bytes 8–11 the low
 * nibbles of scales 4–7 (low) and mins 4–7 (high).
 */
final class KQuants {
    static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Float vectors per 16 encoded bytes: 1 with 16 float lanes (AVX-512), 2 with 8. The K-quant
     * kernels read 16 bytes at a time and widen them with {@code castShape(F_SPECIES, part)}.
     * (They shift bytes on 16-bit lanes, as x86 has no byte shifts, and mask off the bits that
     * come in from the neighbouring byte; the vector code is written inline, not in helper
     * methods, so that no vector crosses a call that might not be inlined and get boxed.)
     */
    static final int PARTS = 16 / Math.min(16, FloatTensor.F_SPECIES.length());

    private KQuants() {
    }

    /** Bytes 0–7 of the packed scales at {@code at}, little-endian. */
    static long scalesLo(MemorySegment s, long at) {
        return s.get(LONG_LE, at);
    }

    /** Bytes 8–11 of the packed scales at {@code at}, little-endian. */
    static int scalesHi(MemorySegment s, long at) {
        return s.get(INT_LE, at + 8);
    }

    private static int b(long lo, int k) {
        return (int) (lo >>> (k << 3)) & 0xFF;
    }

    /** 6-bit scale of sub-block {@code j} (0–7) from the packed bytes ({@code lo}: bytes 0–7, {@code hi}: 8–11). */
    static int scale(long lo, int hi, int j) {
        if (j < 4) return b(lo, j) & 63;
        return ((hi >>> ((j - 4) << 3)) & 0xF) | ((b(lo, j - 4) >>> 6) << 4);
    }

    /** 6-bit min of sub-block {@code j} (0–7). */
    static int min(long lo, int hi, int j) {
        if (j < 4) return b(lo, j + 4) & 63;
        return ((hi >>> ((j - 4) << 3) + 4) & 0xF) | ((b(lo, j) >>> 6) << 4);
    }

    /** Packs eight 6-bit scales and mins into the 12-byte field at {@code dst[off…off+12)}. */
    static void pack(int[] sc, int[] m, byte[] dst, int off) {
        for (int j = 0; j < 4; j++) {
            dst[off + j] = (byte) ((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
            dst[off + j + 4] = (byte) ((m[j] & 63) | ((m[j + 4] >> 4) << 6));
            dst[off + j + 8] = (byte) ((sc[j + 4] & 0xF) | ((m[j + 4] & 0xF) << 4));
        }
    }
}
