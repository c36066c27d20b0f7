package dev.winnow.gguf;

import dev.winnow.tensor.GgmlType;
import java.util.Arrays;

/**
 * A tensor's entry in a GGUF file. {@code shape} is in GGML order: {@code shape[0]} is the
 * innermost (contiguous) dimension, so a matrix with {@code rows} rows of {@code cols} values
 * has shape {@code [cols, rows]}. {@code offset} is relative to the start of the data section.
 */
public record GgufTensorInfo(String name, long[] shape, GgmlType type, long offset) {
    public GgufTensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return i < shape.length ? shape[i] : 1;
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public long byteSize() {
        return type.byteSize(elementCount());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && t.name.equals(name) && Arrays.equals(t.shape, shape)
                && t.type == type && t.offset == offset;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape);
    }
}
