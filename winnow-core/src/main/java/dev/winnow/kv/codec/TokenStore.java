package dev.winnow.kv.codec;

/**
 * A store whose vectors are encoded one by one, each in a fixed number of bytes (f32, f16,
 * int8/int4/int2 blocks): capacity grows by doubling as entries are appended and shrinks when
 * {@link #retain} leaves less than a quarter in use — the same rule as the entries' statistics
 * in {@link dev.winnow.kv.HeadStore}, so both free memory together.
 */
public abstract class TokenStore implements VectorStore {
    static final int INITIAL_CAPACITY = 16;

    protected final int dim;
    protected int size;
    protected int capacity;

    protected TokenStore(int dim) {
        if (dim < 1) throw new IllegalArgumentException("vector size must be >= 1, got " + dim);
        this.dim = dim;
    }

    /** Allocates the arrays for {@code cap} vectors; call from the subclass constructor. */
    protected final void init() {
        capacity = INITIAL_CAPACITY;
        allocate(INITIAL_CAPACITY);
    }

    /** Fresh arrays for {@code cap} vectors. */
    protected abstract void allocate(int cap);

    /** Copies the arrays into arrays for {@code cap} vectors. */
    protected abstract void resize(int cap);

    /** Encodes {@code v[off…]} into slot {@code i}. */
    protected abstract void encode(int i, float[] v, int off);

    /** Copies slot {@code from} to slot {@code to} (either direction). */
    protected abstract void move(int from, int to);

    @Override
    public final int dim() {
        return dim;
    }

    @Override
    public final int size() {
        return size;
    }

    public final int capacity() {
        return capacity;
    }

    private void grow(int cap) {
        resize(cap);
        capacity = cap;
    }

    @Override
    public void append(float[] v, int off) {
        if (size == capacity) grow(Math.max(size + 1, capacity * 2));
        encode(size, v, off);
        size++;
    }

    @Override
    public void reserve(int additional) {
        if (size + additional > capacity) grow(Math.max(size + additional, capacity * 2));
    }

    @Override
    public void set(int i, float[] v, int off) {
        check(i);
        encode(i, v, off);
    }

    /** Inserts a vector at index {@code at} (later vectors move up by one). */
    public void insert(int at, float[] v, int off) {
        if (at < 0 || at > size) throw new IndexOutOfBoundsException("insert at " + at + " of " + size);
        if (size == capacity) grow(Math.max(size + 1, capacity * 2));
        for (int j = size; j > at; j--) move(j - 1, j);
        encode(at, v, off);
        size++;
    }

    @Override
    public void retain(int[] keep) {
        int n = keep.length;
        for (int j = 0; j < n; j++) {
            if (keep[j] != j) move(keep[j], j);
        }
        size = n;
        if (capacity > INITIAL_CAPACITY && size < capacity / 4) grow(Math.max(INITIAL_CAPACITY, size * 2));
    }

    /** Vectors are encoded one by one, so dropping appended ones leaves exactly the earlier state. */
    @Override
    public boolean supportsRollback() {
        return true;
    }

    @Override
    public void rollback(int base, int[] keepAfter, int kept) {
        if (base + kept > size) throw new IllegalArgumentException("rollback to " + base + " + " + kept + " of " + size);
        for (int j = 0; j < kept; j++) {
            if (keepAfter[j] != j) move(base + keepAfter[j], base + j);
        }
        size = base + kept;
    }

    @Override
    public void clear() {
        size = 0;
        init();
    }

    @Override
    public long bytesUsed() {
        return (long) size * bytesPerVector();
    }

    @Override
    public long bytesAllocated() {
        return (long) capacity * bytesPerVector();
    }

    protected final int check(int i) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("vector " + i + " of " + size);
        return i;
    }
}
