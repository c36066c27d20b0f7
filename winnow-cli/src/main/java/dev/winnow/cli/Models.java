package dev.winnow.cli;

import dev.winnow.gguf.GgufFile;
import dev.winnow.gguf.GgufTensorInfo;
import dev.winnow.tensor.GgmlType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Facts about a GGUF file's tensors that several commands print. */
final class Models {
    private Models() {
    }

    /** Tensors, values and bytes of one tensor type. */
    static final class TypeStats {
        int tensors;
        long elements;
        long bytes;
    }

    /** Per tensor type: count, values, bytes; in GgmlType order. */
    static Map<GgmlType, TypeStats> typeHistogram(GgufFile f) {
        Map<GgmlType, TypeStats> h = new EnumMap<>(GgmlType.class);
        for (GgufTensorInfo t : f.tensors().values()) {
            TypeStats s = h.computeIfAbsent(t.type(), k -> new TypeStats());
            s.tensors++;
            s.elements += t.elementCount();
            s.bytes += t.byteSize();
        }
        return h;
    }

    static long parameterCount(GgufFile f) {
        long n = 0;
        for (GgufTensorInfo t : f.tensors().values()) n += t.elementCount();
        return n;
    }

    static long tensorBytes(GgufFile f) {
        long n = 0;
        for (GgufTensorInfo t : f.tensors().values()) n += t.byteSize();
        return n;
    }

    /** The tensor types by share of the bytes, largest first, e.g. {@code Q4_0/Q6_K/F32}. */
    static String typeSummary(GgufFile f) {
        Map<GgmlType, TypeStats> h = typeHistogram(f);
        if (h.isEmpty()) return "-";
        List<Map.Entry<GgmlType, TypeStats>> es = new ArrayList<>(h.entrySet());
        es.sort(Comparator.comparingLong((Map.Entry<GgmlType, TypeStats> e) -> e.getValue().bytes).reversed());
        return es.stream().map(e -> e.getKey().name()).collect(Collectors.joining("/"));
    }
}
