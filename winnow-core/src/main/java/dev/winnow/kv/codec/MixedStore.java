package dev.winnow.kv.codec;

import java.util.Arrays;

/**
 * Mixed precision per entry (ZipCache, MiKV): each vector is held either in a high-precision
 * store or in a low-precision one; a bitmap (one bit per entry) says which. Both inner stores
 * keep their vectors in insertion order, so entry {@code i} is the k-th vector of its store,
 * k = the number of entries of the same precision before it. New vectors arrive at high
 * precision; {@link #demote} moves vectors to low precision (information lost by demotion
 * cannot be regained, so there is no promotion).
 *
 * <p>Attention runs each inner store on its own encoded vectors and scatters (scores) or
 * gathers (weights) by the bitmap.
 *
 * <p>With {@code balanced} (for keys), low-precision vectors are stored channel-separated, as
 * ZipCache's channel-separable token-wise quantization and MiKV's channel balancer do: each
 * channel is divided by c_j = √(max_i |x_ij|) over the high-precision vectors held at the first
 * demotion (fixed from then on), so that an outlier channel no longer sets every token's scale;
 * attention multiplies the query by c instead (q·k = (q∘c)·(k/c)).
 */
public final class MixedStore implements VectorStore {
    private final TokenStore high;
    private final TokenStore low;
    /** Bit i set: entry i is at low precision. */
    private long[] lowBits = new long[1];
    private int size;
    private final boolean balanced;
    /** The channel balance of the low-precision vectors (balanced stores, after the first demotion), else null. */
    private float[] balance;

    public MixedStore(TokenStore high, TokenStore low) {
        this(high, low, false);
    }

    public MixedStore(TokenStore high, TokenStore low, boolean balanced) {
        this.balanced = balanced;
        if (high.dim() != low.dim()) throw new IllegalArgumentException("inner stores differ in vector size");
        if (high.size() != 0 || low.size() != 0) throw new IllegalArgumentException("inner stores must start empty");
        this.high = high;
        this.low = low;
    }

    public TokenStore high() {
        return high;
    }

    public TokenStore low() {
        return low;
    }

    /** The channel balance c of the low-precision vectors, or null (not balanced, or nothing demoted yet). */
    public float[] balance() {
        return balance == null ? null : balance.clone();
    }

    private void fixBalance() {
        if (!balanced || balance != null) return;
        int d = dim();
        float[] max = new float[d], tmp = new float[d];
        for (int j = 0; j < high.size(); j++) {
            high.get(j, tmp, 0);
            for (int c = 0; c < d; c++) max[c] = Math.max(max[c], Math.abs(tmp[c]));
        }
        balance = new float[d];
        for (int c = 0; c < d; c++) balance[c] = max[c] > 0 ? (float) Math.sqrt(max[c]) : 1f;
    }

    /** Encodes into the low store's form (divided by the balance). */
    private float[] toLow(float[] v, int off) {
        float[] x = Arrays.copyOfRange(v, off, off + dim());
        if (balance != null) for (int c = 0; c < x.length; c++) x[c] /= balance[c];
        return x;
    }

    /** Whether entry {@code i} is at low precision. */
    public boolean isLow(int i) {
        check(i);
        return bit(i);
    }

    public int lowCount() {
        return low.size();
    }

    public int highCount() {
        return high.size();
    }

    private boolean bit(int i) {
        return (lowBits[i >>> 6] & (1L << i)) != 0;
    }

    private void check(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("vector " + i + " of " + size);
    }

    /** Entries at low precision among {@code [0, i)}. */
    private int lowBefore(int i) {
        int count = 0;
        int w = i >>> 6;
        for (int k = 0; k < w; k++) count += Long.bitCount(lowBits[k]);
        if ((i & 63) != 0) count += Long.bitCount(lowBits[w] & ((1L << i) - 1));
        return count;
    }

    private void ensureBits(int n) {
        int words = (n + 63) >>> 6;
        if (words > lowBits.length) lowBits = Arrays.copyOf(lowBits, Math.max(words, lowBits.length * 2));
    }

    @Override
    public int dim() {
        return high.dim();
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void append(float[] v, int off) {
        ensureBits(size + 1);
        high.append(v, off);
        lowBits[size >>> 6] &= ~(1L << size);
        size++;
    }

    @Override
    public void reserve(int additional) {
        high.reserve(additional);
        ensureBits(size + additional);
    }

    /**
     * Moves the listed entries (ascending) to low precision: each is decoded from the high store
     * and re-encoded in the low one; entries already low are left alone.
     */
    public void demote(int[] entries) {
        fixBalance();
        float[] tmp = new float[dim()];
        int prev = -1;
        for (int i : entries) {
            if (i <= prev) throw new IllegalArgumentException("demote needs ascending distinct indices, got " + i);
            prev = i;
            check(i);
            if (bit(i)) continue;
            int lowRank = lowBefore(i);
            int highRank = i - lowRank;
            high.get(highRank, tmp, 0);
            low.insert(lowRank, toLow(tmp, 0), 0);
            int[] keep = new int[high.size() - 1];
            for (int j = 0, k = 0; j < high.size(); j++) if (j != highRank) keep[k++] = j;
            high.retain(keep);
            lowBits[i >>> 6] |= 1L << i;
        }
    }

    @Override
    public void dots(float[] q, int qOff, int n, float scale, float[] out, int outOff) {
        int nl = lowBefore(n), nh = n - nl;
        float[] sh = new float[nh], sl = new float[nl];
        high.dots(q, qOff, nh, scale, sh, 0);
        if (balance != null && nl > 0) {
            float[] qb = new float[dim()];
            for (int c = 0; c < qb.length; c++) qb[c] = q[qOff + c] * balance[c];
            low.dots(qb, 0, nl, scale, sl, 0);
        } else {
            low.dots(q, qOff, nl, scale, sl, 0);
        }
        for (int i = 0, h = 0, l = 0; i < n; i++) out[outOff + i] = bit(i) ? sl[l++] : sh[h++];
    }

    @Override
    public void accumulate(float[] w, int wOff, int n, float[] out, int off) {
        int nl = lowBefore(n), nh = n - nl;
        float[] wh = new float[nh], wl = new float[nl];
        for (int i = 0, h = 0, l = 0; i < n; i++) {
            if (bit(i)) wl[l++] = w[wOff + i];
            else wh[h++] = w[wOff + i];
        }
        high.accumulate(wh, 0, nh, out, off);
        if (balance != null && nl > 0) {
            float[] acc = new float[dim()];
            low.accumulate(wl, 0, nl, acc, 0);
            for (int c = 0; c < acc.length; c++) out[off + c] += acc[c] * balance[c];
        } else {
            low.accumulate(wl, 0, nl, out, off);
        }
    }

    @Override
    public void get(int i, float[] out, int off) {
        check(i);
        int lr = lowBefore(i);
        if (bit(i)) {
            low.get(lr, out, off);
            if (balance != null) for (int c = 0; c < dim(); c++) out[off + c] *= balance[c];
        } else {
            high.get(i - lr, out, off);
        }
    }

    @Override
    public void set(int i, float[] v, int off) {
        check(i);
        int lr = lowBefore(i);
        if (bit(i)) low.set(lr, toLow(v, off), 0);
        else high.set(i - lr, v, off);
    }

    @Override
    public void retain(int[] keep) {
        int nl = 0;
        for (int i : keep) if (bit(i)) nl++;
        int[] kh = new int[keep.length - nl], kl = new int[nl];
        long[] bits = new long[Math.max(1, (keep.length + 63) >>> 6)];
        int h = 0, l = 0, next = 0, lowSeen = 0;
        for (int j = 0; j < keep.length; j++) {
            int i = keep[j];
            for (; next < i; next++) if (bit(next)) lowSeen++;
            if (bit(i)) {
                kl[l++] = lowSeen;
                bits[j >>> 6] |= 1L << j;
            } else {
                kh[h++] = i - lowSeen;
            }
        }
        high.retain(kh);
        low.retain(kl);
        size = keep.length;
        lowBits = bits;
    }

    @Override
    public void clear() {
        high.clear();
        low.clear();
        lowBits = new long[1];
        balance = null;
        size = 0;
    }

    /** The precision bitmap and the channel balance. */
    private long indexBytes() {
        return (size + 7) / 8 + (balance == null ? 0 : 4L * balance.length);
    }

    @Override
    public long bytesUsed() {
        return high.bytesUsed() + low.bytesUsed() + indexBytes();
    }

    @Override
    public long bytesAllocated() {
        return high.bytesAllocated() + low.bytesAllocated() + lowBits.length * 8L;
    }

    @Override
    public int bytesPerVector() {
        return high.bytesPerVector();
    }

    @Override
    public String codec() {
        return high.codec() + "/" + low.codec();
    }

    @Override
    public void usage(UsageSink sink) {
        high.usage(sink);
        low.usage(sink);
        sink.add("mixed-index", 0, indexBytes());
    }
}
