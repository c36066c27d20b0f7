package dev.winnow.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML Q6_K: super-blocks of 256 values in 210 bytes: {@code ql[128]} (low 4 bits),
 * {@code qh[64]} (high 2 bits), 16 signed 8-bit sub-block scales, then the f16 super-scale
 * {@code d}. Value = d × scale[sub] × (q − 32), sub-blocks of 16 values.
 */
public final class Q6_KTensor extends FloatTensor {
    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 210;

    public Q6_KTensor(MemorySegment segment, long size) {
        super(segment, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public float getFloat(long index) {
        float[] buf = new float[BLOCK];
        decodeBlock(index / BLOCK * BLOCK_BYTES, buf, 0);
        return buf[(int) (index % BLOCK)];
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int n) {
        float[] buf = new float[BLOCK];
        float sum = 0f;
        long base = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j < n; j += BLOCK, base += BLOCK_BYTES) {
            decodeBlock(base, buf, 0);
            sum += FloatTensor.dot(buf, 0, x, xOffset + j, BLOCK);
        }
        return sum;
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        long base = offset / BLOCK * BLOCK_BYTES;
        for (int j = 0; j < n; j += BLOCK, base += BLOCK_BYTES) decodeBlock(base, out, outOffset + j);
    }

    private void decodeBlock(long base, float[] y, int yOff) {
        float d = f16(segment, base + 208);
        for (int half = 0; half < 2; half++) {
            long ql = base + half * 64;
            long qh = base + 128 + half * 32;
            long sc = base + 192 + half * 8;
            int o = yOff + half * 128;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int qlo = segment.get(ValueLayout.JAVA_BYTE, ql + l) & 0xFF;
                int qhi = segment.get(ValueLayout.JAVA_BYTE, ql + l + 32) & 0xFF;
                int h = segment.get(ValueLayout.JAVA_BYTE, qh + l) & 0xFF;
                int q1 = ((qlo & 0xF) | ((h & 3) << 4)) - 32;
                int q2 = ((qhi & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                int q3 = ((qlo >> 4) | (((h >> 4) & 3) << 4)) - 32;
                int q4 = ((qhi >> 4) | (((h >> 6) & 3) << 4)) - 32;
                y[o + l] = d * segment.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
                y[o + l + 32] = d * segment.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
                y[o + l + 64] = d * segment.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
                y[o + l + 96] = d * segment.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
            }
        }
    }
}
