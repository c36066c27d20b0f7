package dev.winnow.tensor;

/** A tensor type Winnow recognises but cannot compute with. */
public class UnsupportedTensorTypeException extends IllegalArgumentException {
    private final GgmlType type;

    public UnsupportedTensorTypeException(GgmlType type) {
        super("tensor type " + type + " is not supported (supported: " + supportedList() + ")");
        this.type = type;
    }

    public GgmlType type() {
        return type;
    }

    static String supportedList() {
        StringBuilder sb = new StringBuilder();
        for (GgmlType t : GgmlType.values()) {
            if (t.supported()) sb.append(sb.isEmpty() ? "" : ", ").append(t);
        }
        return sb.toString();
    }
}
