package dev.winnow.gguf;

/** The value types of GGUF metadata, with their on-disk codes. */
public enum GgufValueType {
    UINT8(0), INT8(1), UINT16(2), INT16(3), UINT32(4), INT32(5), FLOAT32(6), BOOL(7),
    STRING(8), ARRAY(9), UINT64(10), INT64(11), FLOAT64(12);

    private final int code;

    GgufValueType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static GgufValueType fromCode(int code) {
        for (GgufValueType t : values()) {
            if (t.code == code) return t;
        }
        return null;
    }
}
