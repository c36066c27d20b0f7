package dev.winnow.kv.codec;

/**
 * KIVI's layout: the newest tokens stay in full precision (f32) and older ones are quantized in
 * groups. A vector is appended to the residual; when the residual holds {@code residual + group}
 * vectors, its oldest {@code group} vectors are quantized together ({@link VectorStore#appendAll})
 * and leave it. So the newest {@code residual} tokens are always full precision and the
 * residual never exceeds {@code residual + group − 1}. Entries stay in insertion order: the
 * quantized part first, then the residual.
 */
public final class ResidualStore implements VectorStore {
    private final VectorStore quantized;
    private final F32Store recent;
    private final int residual;
    private final int group;
    private final String name;

    /**
     * @param quantized the store older vectors move to (empty)
     * @param residual newest vectors kept full precision
     * @param group vectors quantized together
     */
    public ResidualStore(VectorStore quantized, int residual, int group, String name) {
        if (quantized.size() != 0) throw new IllegalArgumentException("the quantized store must start empty");
        if (residual < 0 || group < 1) throw new IllegalArgumentException("residual >= 0 and group >= 1");
        this.quantized = quantized;
        this.recent = new F32Store(quantized.dim());
        this.residual = residual;
        this.group = group;
        this.name = name;
    }

    public VectorStore quantized() {
        return quantized;
    }

    /** Vectors currently held in full precision. */
    public int residualSize() {
        return recent.size();
    }

    @Override
    public int dim() {
        return quantized.dim();
    }

    @Override
    public int size() {
        return quantized.size() + recent.size();
    }

    @Override
    public void append(float[] v, int off) {
        recent.append(v, off);
        if (recent.size() >= residual + group) {
            int dim = dim();
            float[] batch = new float[group * dim];
            for (int j = 0; j < group; j++) recent.get(j, batch, j * dim);
            quantized.appendAll(batch, 0, group);
            int[] keep = new int[recent.size() - group];
            for (int j = 0; j < keep.length; j++) keep[j] = group + j;
            recent.retain(keep);
        }
    }

    @Override
    public void reserve(int additional) {
        recent.reserve(Math.min(additional, residual + group));
    }

    @Override
    public void dots(float[] q, int qOff, int n, float scale, float[] out, int outOff) {
        int nq = quantized.size();
        quantized.dots(q, qOff, Math.min(n, nq), scale, out, outOff);
        if (n > nq) recent.dots(q, qOff, n - nq, scale, out, outOff + nq);
    }

    @Override
    public void accumulate(float[] w, int wOff, int n, float[] out, int off) {
        int nq = quantized.size();
        quantized.accumulate(w, wOff, Math.min(n, nq), out, off);
        if (n > nq) recent.accumulate(w, wOff + nq, n - nq, out, off);
    }

    @Override
    public void get(int i, float[] out, int off) {
        int nq = quantized.size();
        if (i < nq) quantized.get(i, out, off);
        else recent.get(i - nq, out, off);
    }

    @Override
    public void set(int i, float[] v, int off) {
        int nq = quantized.size();
        if (i < nq) quantized.set(i, v, off);
        else recent.set(i - nq, v, off);
    }

    @Override
    public void retain(int[] keep) {
        int nq = quantized.size();
        int split = 0;
        while (split < keep.length && keep[split] < nq) split++;
        int[] q = java.util.Arrays.copyOf(keep, split);
        int[] r = new int[keep.length - split];
        for (int j = 0; j < r.length; j++) r[j] = keep[split + j] - nq;
        quantized.retain(q);
        recent.retain(r);
    }

    @Override
    public void clear() {
        quantized.clear();
        recent.clear();
    }

    @Override
    public long bytesUsed() {
        return quantized.bytesUsed() + recent.bytesUsed();
    }

    @Override
    public long bytesAllocated() {
        return quantized.bytesAllocated() + recent.bytesAllocated();
    }

    @Override
    public int bytesPerVector() {
        return quantized.bytesPerVector();
    }

    @Override
    public String codec() {
        return name;
    }

    @Override
    public void usage(UsageSink sink) {
        quantized.usage(sink);
        recent.usage(sink);
    }
}
