package dev.winnow.tensor;

import java.lang.foreign.MemorySegment;

/** IEEE half-precision tensor. */
public final class F16Tensor extends FloatTensor {
    private static final int CHUNK = 256;

    public F16Tensor(MemorySegment segment, long size) {
        super(segment, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public float getFloat(long index) {
        return f16(segment, index * 2);
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int n) {
        // Decode a chunk at a time, then use the vectorised float dot.
        float[] buf = new float[Math.min(n, CHUNK)];
        float sum = 0f;
        for (int i = 0; i < n; i += CHUNK) {
            int len = Math.min(CHUNK, n - i);
            dequantize(offset + i, buf, 0, len);
            sum += FloatTensor.dot(buf, 0, x, xOffset + i, len);
        }
        return sum;
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) out[outOffset + i] = f16(segment, (offset + i) * 2);
    }
}
