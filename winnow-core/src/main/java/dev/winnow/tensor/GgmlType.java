package dev.winnow.tensor;

/**
 * The tensor element types of GGML/GGUF with their on-disk codes, block sizes (elements per
 * block) and type sizes (bytes per block). {@link #supported()} says whether Winnow can compute
 * with the type; the others are still recognised so a file that uses them gets a clear message.
 */
public enum GgmlType {
    F32(0, 1, 4, true),
    F16(1, 1, 2, true),
    Q4_0(2, 32, 18, true),
    Q4_1(3, 32, 20, false),
    Q5_0(6, 32, 22, false),
    Q5_1(7, 32, 24, false),
    Q8_0(8, 32, 34, true),
    Q8_1(9, 32, 36, false),
    Q2_K(10, 256, 84, false),
    Q3_K(11, 256, 110, false),
    Q4_K(12, 256, 144, true),
    Q5_K(13, 256, 176, true),
    Q6_K(14, 256, 210, true),
    Q8_K(15, 256, 292, false),
    IQ2_XXS(16, 256, 66, false),
    IQ2_XS(17, 256, 74, false),
    IQ3_XXS(18, 256, 98, false),
    IQ1_S(19, 256, 50, false),
    IQ4_NL(20, 32, 18, false),
    IQ3_S(21, 256, 110, false),
    IQ2_S(22, 256, 82, false),
    IQ4_XS(23, 256, 136, false),
    I8(24, 1, 1, false),
    I16(25, 1, 2, false),
    I32(26, 1, 4, false),
    I64(27, 1, 8, false),
    F64(28, 1, 8, false),
    IQ1_M(29, 256, 56, false),
    BF16(30, 1, 2, true),
    TQ1_0(34, 256, 54, false),
    TQ2_0(35, 256, 66, false);

    private final int code;
    private final int blockSize;
    private final int typeSize;
    private final boolean supported;

    GgmlType(int code, int blockSize, int typeSize, boolean supported) {
        this.code = code;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
        this.supported = supported;
    }

    public int code() {
        return code;
    }

    /** Elements per block. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int typeSize() {
        return typeSize;
    }

    /** Whether Winnow has dequantization and kernels for this type. */
    public boolean supported() {
        return supported;
    }

    /** Bytes needed for {@code elements} values; {@code elements} must be a multiple of the block size. */
    public long byteSize(long elements) {
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(name() + " needs a multiple of " + blockSize
                    + " elements, got " + elements);
        }
        return elements / blockSize * typeSize;
    }

    /** Average bits per weight. */
    public double bitsPerWeight() {
        return typeSize * 8.0 / blockSize;
    }

    /** The type with this code, or {@code null} when the code is unknown. */
    public static GgmlType fromCode(int code) {
        for (GgmlType t : values()) {
            if (t.code == code) return t;
        }
        return null;
    }

    /** Parses a type name such as {@code q8_0} or {@code F16} (case-insensitive). */
    public static GgmlType parse(String name) {
        for (GgmlType t : values()) {
            if (t.name().equalsIgnoreCase(name)) return t;
        }
        throw new IllegalArgumentException("unknown tensor type '" + name + "'");
    }
}
