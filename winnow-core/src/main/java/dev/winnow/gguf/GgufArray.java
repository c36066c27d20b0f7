package dev.winnow.gguf;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.Objects;

/**
 * A metadata array. Elements are held in a Java array matching the element type:
 * {@code byte[]} (UINT8, INT8), {@code short[]} (UINT16, INT16), {@code int[]} (UINT32, INT32),
 * {@code long[]} (UINT64, INT64), {@code float[]}, {@code double[]}, {@code boolean[]},
 * {@code String[]}, or {@code GgufArray[]} for nested arrays.
 */
public final class GgufArray {
    private final GgufValueType elementType;
    private final Object elements;

    public GgufArray(GgufValueType elementType, Object elements) {
        this.elementType = Objects.requireNonNull(elementType);
        this.elements = Objects.requireNonNull(elements);
        Class<?> expected = javaArrayClass(elementType);
        if (elements.getClass() != expected) {
            throw new IllegalArgumentException("GGUF array of " + elementType + " needs a "
                    + expected.getSimpleName() + ", got " + elements.getClass().getSimpleName());
        }
    }

    public static GgufArray of(String... values) {
        return new GgufArray(GgufValueType.STRING, values.clone());
    }

    public static GgufArray of(float... values) {
        return new GgufArray(GgufValueType.FLOAT32, values.clone());
    }

    public static GgufArray ofInt32(int... values) {
        return new GgufArray(GgufValueType.INT32, values.clone());
    }

    static Class<?> javaArrayClass(GgufValueType t) {
        return switch (t) {
            case UINT8, INT8 -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> GgufArray[].class;
        };
    }

    public GgufValueType elementType() {
        return elementType;
    }

    /** The backing Java array (not copied). */
    public Object elements() {
        return elements;
    }

    public int size() {
        return Array.getLength(elements);
    }

    /** Element {@code i} boxed: unsigned types are widened so the value is the true number. */
    public Object get(int i) {
        return switch (elementType) {
            case UINT8 -> Byte.toUnsignedInt(((byte[]) elements)[i]);
            case UINT16 -> Short.toUnsignedInt(((short[]) elements)[i]);
            case UINT32 -> Integer.toUnsignedLong(((int[]) elements)[i]);
            default -> Array.get(elements, i);
        };
    }

    public String[] asStrings() {
        if (elements instanceof String[] s) return s;
        throw new GgufException("expected an array of strings, found an array of " + elementType);
    }

    public float[] asFloats() {
        if (elements instanceof float[] f) return f;
        if (elements instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
            return f;
        }
        throw new GgufException("expected an array of floats, found an array of " + elementType);
    }

    /** Integer elements as int[] (any integer element type that fits). */
    public int[] asInts() {
        int n = size();
        int[] out = new int[n];
        switch (elementType) {
            case INT32, UINT32 -> System.arraycopy((int[]) elements, 0, out, 0, n);
            case INT8 -> { byte[] b = (byte[]) elements; for (int i = 0; i < n; i++) out[i] = b[i]; }
            case UINT8 -> { byte[] b = (byte[]) elements; for (int i = 0; i < n; i++) out[i] = b[i] & 0xFF; }
            case INT16 -> { short[] s = (short[]) elements; for (int i = 0; i < n; i++) out[i] = s[i]; }
            case UINT16 -> { short[] s = (short[]) elements; for (int i = 0; i < n; i++) out[i] = s[i] & 0xFFFF; }
            case INT64, UINT64 -> { long[] l = (long[]) elements; for (int i = 0; i < n; i++) out[i] = Math.toIntExact(l[i]); }
            default -> throw new GgufException("expected an array of integers, found an array of " + elementType);
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GgufArray a) || a.elementType != elementType) return false;
        return Arrays.deepEquals(new Object[] {elements}, new Object[] {a.elements});
    }

    @Override
    public int hashCode() {
        return elementType.hashCode() * 31 + Arrays.deepHashCode(new Object[] {elements});
    }

    @Override
    public String toString() {
        int n = size();
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < Math.min(n, 8); i++) {
            if (i > 0) sb.append(", ");
            sb.append(get(i));
        }
        if (n > 8) sb.append(", … (").append(n).append(" ").append(elementType).append(")");
        return sb.append(']').toString();
    }
}
