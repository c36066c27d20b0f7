package dev.winnow.kv.codec;

/**
 * KIVI's layout: the newest tokens stay in full precision (f32) and older ones are quantized,
 * as KIVI's reference code does it. Keys ({@link #keys}): the residual grows from 0 to
 * {@code residual − 1} vectors; when it reaches {@code residual} (a multiple of {@code group};
 * {@code group} when the residual is 0) all of it is quantized in groups
 * ({@link VectorStore#appendAll}) and the residual starts empty — so 0 … residual − 1 keys are in
 * f32. Values ({@link #values}): exactly the newest {@code residual} are in f32; one more and the
 * oldest of them is quantized on its own (per token). Entries stay in insertion order: the
 * quantized part first, then the residual.
 */
public final class ResidualStore implements VectorStore {
    private final VectorStore quantized;
    private final F32Store recent;
    private final int residual;
    private final int group;
    private final boolean perToken;
    private final String name;

    /** Keys: the residual (0 … residual − 1 vectors) is quantized as a whole, in groups, when it reaches {@code residual}. */
    public static ResidualStore keys(VectorStore quantized, int residual, int group, String name) {
        if (residual % group != 0) {
            throw new IllegalArgumentException(name + ": residual (" + residual + ") must be a multiple of group (" + group + ")");
        }
        return new ResidualStore(quantized, residual, group, false, name);
    }

    /** Values: the newest {@code residual} vectors in f32, older ones quantized one at a time. */
    public static ResidualStore values(VectorStore quantized, int residual, String name) {
        return new ResidualStore(quantized, residual, 1, true, name);
    }

    private ResidualStore(VectorStore quantized, int residual, int group, boolean perToken, String name) {
        if (quantized.size() != 0) throw new IllegalArgumentException("the quantized store must start empty");
        if (residual < 0 || group < 1) throw new IllegalArgumentException("residual >= 0 and group >= 1");
        this.quantized = quantized;
        this.recent = new F32Store(quantized.dim());
        this.residual = residual;
        this.group = group;
        this.perToken = perToken;
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
        int flush = perToken ? (recent.size() > residual ? 1 : 0)
                : (recent.size() >= Math.max(residual, group) ? recent.size() : 0);
        if (flush > 0) {
            int dim = dim();
            float[] batch = new float[flush * dim];
            for (int j = 0; j < flush; j++) recent.get(j, batch, j * dim);
            for (int j = 0; j < flush; j += group) quantized.appendAll(batch, j * dim, Math.min(group, flush - j));
            int[] keep = new int[recent.size() - flush];
            for (int j = 0; j < keep.length; j++) keep[j] = flush + j;
            recent.retain(keep);
        }
    }

    @Override
    public void reserve(int additional) {
        recent.reserve(Math.min(additional, Math.max(residual, group) + 1));
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
