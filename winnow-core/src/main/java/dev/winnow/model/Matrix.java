package dev.winnow.model;

import dev.winnow.tensor.FloatTensor;
import dev.winnow.tensor.GgmlType;

/** A weight matrix of {@code rows} rows of {@code cols} values (GGUF shape [cols, rows]). */
public record Matrix(String name, FloatTensor tensor, int rows, int cols) {
    public GgmlType type() {
        return tensor.type();
    }

    public long bytes() {
        return tensor.byteSize();
    }
}
