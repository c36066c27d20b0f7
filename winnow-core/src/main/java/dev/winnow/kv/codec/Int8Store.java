package dev.winnow.kv.codec;

import dev.winnow.tensor.FloatTensor;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectors in GGUF Q8_0 blocks: each block of {@code block} values (32, or the whole vector when
 * the head is smaller) holds an f16 scale {@code d} and one signed byte per value; value =
 * d × q with d = max|x| / 127 (rounded up to f16, so |x − d·q| ≤ d/2). 34 bytes per 32 values.
 * Attention works on the bytes: q·k = Σ_blocks d · Σ q_j·k_j; Σ p·v adds p·d·q.
 */
public final class Int8Store extends TokenStore {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));
    private final int block;
    private final int blocks;
    private byte[] codes;
    private short[] scales;

    public Int8Store(int dim, int block) {
        super(dim);
        this.block = Blocks.check(dim, block, "int8");
        this.blocks = dim / this.block;
        init();
    }

    public int block() {
        return block;
    }

    @Override
    protected void allocate(int cap) {
        codes = new byte[cap * dim];
        scales = new short[cap * blocks];
    }

    @Override
    protected void resize(int cap) {
        codes = Arrays.copyOf(codes, cap * dim);
        scales = Arrays.copyOf(scales, cap * blocks);
    }

    @Override
    protected void encode(int i, float[] v, int off) {
        for (int b = 0; b < blocks; b++) {
            int from = off + b * block;
            float amax = 0;
            for (int k = 0; k < block; k++) amax = Math.max(amax, Math.abs(v[from + k]));
            Half.checkRange(amax, "int8");
            short h = Half.up(amax / 127f);
            float d = Half.f16(h);
            scales[i * blocks + b] = h;
            int base = i * dim + b * block;
            for (int k = 0; k < block; k++) {
                int q = d == 0 ? 0 : Math.round(v[from + k] / d);
                codes[base + k] = (byte) Math.max(-127, Math.min(127, q));
            }
        }
    }

    @Override
    protected void move(int from, int to) {
        System.arraycopy(codes, from * dim, codes, to * dim, dim);
        System.arraycopy(scales, from * blocks, scales, to * blocks, blocks);
    }

    /** The scale of block {@code b} of vector {@code i}. */
    public float scale(int i, int b) {
        return Half.f16(scales[check(i) * blocks + b]);
    }

    @Override
    public void get(int i, float[] out, int off) {
        check(i);
        for (int b = 0; b < blocks; b++) {
            float d = Half.f16(scales[i * blocks + b]);
            int base = i * dim + b * block;
            for (int k = 0; k < block; k++) out[off + b * block + k] = d * codes[base + k];
        }
    }

    /** Whether the Vector API path applies: blocks made of whole float vectors. */
    private boolean vectorized() {
        return F.length() >= 8 && block % F.length() == 0;
    }

    private FloatVector codes(int at) {
        return (FloatVector) ByteVector.fromArray(B, codes, at).convertShape(VectorOperators.B2F, F, 0);
    }

    @Override
    public void dots(float[] q, int qOff, int n, float scale, float[] out, int outOff) {
        if (vectorized()) {
            int lanes = F.length();
            FloatVector[] qv = new FloatVector[dim / lanes];
            for (int j = 0; j < qv.length; j++) qv[j] = FloatVector.fromArray(F, q, qOff + j * lanes);
            for (int i = 0; i < n; i++) {
                FloatVector acc = FloatVector.zero(F);
                for (int b = 0; b < blocks; b++) {
                    FloatVector s = FloatVector.zero(F);
                    for (int k = 0; k < block; k += lanes) {
                        s = codes(i * dim + b * block + k).fma(qv[(b * block + k) / lanes], s);
                    }
                    acc = s.fma(FloatVector.broadcast(F, Half.f16(scales[i * blocks + b])), acc);
                }
                out[outOff + i] = scale * FloatTensor.sum(acc);
            }
            return;
        }
        byte[] c = codes;
        for (int i = 0; i < n; i++) {
            float sum = 0;
            for (int b = 0; b < blocks; b++) {
                int base = i * dim + b * block, x = qOff + b * block;
                float s = 0;
                for (int k = 0; k < block; k++) s += q[x + k] * c[base + k];
                sum += Half.f16(scales[i * blocks + b]) * s;
            }
            out[outOff + i] = scale * sum;
        }
    }

    @Override
    public void accumulate(float[] w, int wOff, int n, float[] out, int off) {
        if (vectorized()) {
            int lanes = F.length();
            for (int c0 = 0; c0 < dim; c0 += lanes) {
                int b = c0 / block;
                FloatVector acc = FloatVector.fromArray(F, out, off + c0);
                for (int i = 0; i < n; i++) {
                    float wd = w[wOff + i] * Half.f16(scales[i * blocks + b]);
                    acc = codes(i * dim + c0).fma(FloatVector.broadcast(F, wd), acc);
                }
                acc.intoArray(out, off + c0);
            }
            return;
        }
        byte[] c = codes;
        for (int i = 0; i < n; i++) {
            float wi = w[wOff + i];
            for (int b = 0; b < blocks; b++) {
                float wd = wi * Half.f16(scales[i * blocks + b]);
                int base = i * dim + b * block, o = off + b * block;
                for (int k = 0; k < block; k++) out[o + k] += wd * c[base + k];
            }
        }
    }

    @Override
    public int bytesPerVector() {
        return dim + 2 * blocks;
    }

    @Override
    public String codec() {
        return "int8";
    }
}
