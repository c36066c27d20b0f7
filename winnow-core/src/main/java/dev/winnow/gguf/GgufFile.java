package dev.winnow.gguf;

import dev.winnow.tensor.GgmlType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF file (version 2 or 3), memory-mapped read-only through an FFM {@link MemorySegment}:
 * metadata is parsed on open, tensor data is never copied ({@link #tensorData} returns a slice
 * of the mapping).
 *
 * <p>Metadata values are Java objects by declared type: UINT8/INT8 → {@code Byte},
 * UINT16/INT16 → {@code Short}, UINT32/INT32 → {@code Integer}, UINT64/INT64 → {@code Long},
 * FLOAT32 → {@code Float}, FLOAT64 → {@code Double}, BOOL → {@code Boolean}, STRING →
 * {@code String}, ARRAY → {@link GgufArray}. The typed getters widen unsigned values.
 */
public final class GgufFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747; // "GGUF" read as little-endian int
    public static final int DEFAULT_ALIGNMENT = 32;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, GgufValueType> metadataTypes;
    private final Map<String, GgufTensorInfo> tensors;
    private final int alignment;
    private final long dataOffset;

    private GgufFile(Path path, Arena arena, MemorySegment segment, int version, Map<String, Object> metadata,
                     Map<String, GgufValueType> metadataTypes, Map<String, GgufTensorInfo> tensors,
                     int alignment, long dataOffset) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.version = version;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.metadataTypes = Collections.unmodifiableMap(metadataTypes);
        this.tensors = Collections.unmodifiableMap(tensors);
        this.alignment = alignment;
        this.dataOffset = dataOffset;
    }

    /** Opens and memory-maps a GGUF file; throws {@link GgufException} naming the file and the problem. */
    public static GgufFile open(Path path) {
        if (!Files.exists(path)) {
            throw new GgufException(path + ": no such file");
        }
        if (Files.isDirectory(path)) {
            throw new GgufException(path + ": is a directory, expected a .gguf file");
        }
        if (!Files.isRegularFile(path)) {
            // a FIFO would block until a writer appears, a device could be endless
            throw new GgufException(path + ": is not a regular file (a pipe, device or socket), expected a .gguf file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            GgufFile f = new Parser(path, seg).parse(arena);
            return f;
        } catch (NoSuchFileException e) {
            arena.close();
            throw new GgufException(path + ": no such file");
        } catch (IOException e) {
            arena.close();
            throw new GgufException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    /** Absolute file offset where the tensor data section starts. */
    public long dataOffset() {
        return dataOffset;
    }

    public long fileSize() {
        return segment.byteSize();
    }

    public Map<String, Object> metadata() {
        return metadata;
    }

    public Map<String, GgufValueType> metadataTypes() {
        return metadataTypes;
    }

    public Map<String, GgufTensorInfo> tensors() {
        return tensors;
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    public Object get(String key) {
        return metadata.get(key);
    }

    public GgufTensorInfo tensor(String name) {
        GgufTensorInfo t = tensors.get(name);
        if (t == null) {
            throw new GgufException(path + ": missing tensor '" + name + "'");
        }
        return t;
    }

    public Optional<GgufTensorInfo> findTensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** The tensor's bytes as a slice of the mapping (zero copy). */
    public MemorySegment tensorData(GgufTensorInfo t) {
        return segment.asSlice(dataOffset + t.offset(), t.byteSize());
    }

    public MemorySegment tensorData(String name) {
        return tensorData(tensor(name));
    }

    public String getString(String key) {
        return require(key, String.class, "a string");
    }

    public Optional<String> findString(String key) {
        return metadata.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** An integer value of any integer type, widened (unsigned types read as unsigned). */
    public long getLong(String key) {
        Object v = metadata.get(key);
        if (v == null) throw missing(key, "an integer");
        return toLong(key, v);
    }

    public int getInt(String key) {
        long v = getLong(key);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new GgufException(path + ": metadata '" + key + "' = " + v + " does not fit in an int");
        }
        return (int) v;
    }

    public int getInt(String key, int defaultValue) {
        return metadata.containsKey(key) ? getInt(key) : defaultValue;
    }

    public float getFloat(String key) {
        Object v = metadata.get(key);
        if (v == null) throw missing(key, "a number");
        if (v instanceof Float f) return f;
        if (v instanceof Double d) return d.floatValue();
        return toLong(key, v);
    }

    public float getFloat(String key, float defaultValue) {
        return metadata.containsKey(key) ? getFloat(key) : defaultValue;
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        Object v = metadata.get(key);
        if (v == null) return defaultValue;
        if (v instanceof Boolean b) return b;
        throw new GgufException(path + ": metadata '" + key + "' should be a bool, found " + metadataTypes.get(key));
    }

    public GgufArray getArray(String key) {
        return require(key, GgufArray.class, "an array");
    }

    public Optional<GgufArray> findArray(String key) {
        return metadata.get(key) instanceof GgufArray a ? Optional.of(a) : Optional.empty();
    }

    private long toLong(String key, Object v) {
        GgufValueType t = metadataTypes.get(key);
        return switch (v) {
            case Byte b -> t == GgufValueType.UINT8 ? Byte.toUnsignedLong(b) : b;
            case Short s -> t == GgufValueType.UINT16 ? Short.toUnsignedLong(s) : s;
            case Integer i -> t == GgufValueType.UINT32 ? Integer.toUnsignedLong(i) : i;
            case Long l -> l;
            default -> throw new GgufException(path + ": metadata '" + key + "' should be an integer, found " + t);
        };
    }

    private <T> T require(String key, Class<T> type, String what) {
        Object v = metadata.get(key);
        if (v == null) throw missing(key, what);
        if (!type.isInstance(v)) {
            throw new GgufException(path + ": metadata '" + key + "' should be " + what + ", found "
                    + metadataTypes.get(key));
        }
        return type.cast(v);
    }

    private GgufException missing(String key, String what) {
        return new GgufException(path + ": missing metadata '" + key + "' (expected " + what + ")");
    }

    @Override
    public void close() {
        arena.close();
    }

    /** Sequential reader over the mapped header. */
    private static final class Parser {
        private final Path path;
        private final MemorySegment seg;
        private long pos;

        Parser(Path path, MemorySegment seg) {
            this.path = path;
            this.seg = seg;
        }

        GgufFile parse(Arena arena) {
            if (seg.byteSize() < 4 || seg.get(U32, 0) != MAGIC) {
                throw new GgufException(path + ": not a GGUF file (the first bytes are not 'GGUF')");
            }
            pos = 4;
            int version = u32("version");
            if (version == 1) {
                throw new GgufException(path + ": GGUF version 1 is not supported (expected version 2 or 3)");
            }
            if (version < 1 || version > 3) {
                // A big-endian file reads as a huge version number.
                throw new GgufException(path + ": unsupported GGUF version " + Integer.toUnsignedString(version)
                        + " (expected 2 or 3; big-endian files are not supported)");
            }
            long tensorCount = count("tensor count");
            long kvCount = count("metadata count");
            // each metadata entry takes at least 13 bytes (key length, type, one byte of value)
            fits(kvCount, 13, "metadata count " + Long.toUnsignedString(kvCount));
            // each tensor description takes at least 32 bytes (name length, dims, one dim, type, offset)
            fits(tensorCount, 32, "tensor count " + Long.toUnsignedString(tensorCount));
            Map<String, Object> md = new LinkedHashMap<>();
            Map<String, GgufValueType> types = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = Printable.name(string("metadata key #" + i));
                GgufValueType type = valueType(key);
                md.put(key, value(type, key));
                types.put(key, type);
            }
            int alignment = DEFAULT_ALIGNMENT;
            if (md.containsKey("general.alignment")) {
                Object a = md.get("general.alignment");
                if (!(a instanceof Integer ai) || ai <= 0 || Integer.bitCount(ai) != 1) {
                    throw new GgufException(path + ": metadata 'general.alignment' = " + a
                            + " (expected a power of two as uint32)");
                }
                alignment = ai;
            }
            Map<String, GgufTensorInfo> tensors = new LinkedHashMap<>();
            for (long i = 0; i < tensorCount; i++) {
                String rawName = string("tensor name #" + i);
                String name = Printable.name(rawName);
                int nDims = u32("dimension count of tensor '" + name + "'");
                if (nDims < 1 || nDims > 4) {
                    throw new GgufException(path + ": tensor '" + name + "' has " + nDims + " dimensions (expected 1 to 4)");
                }
                long[] shape = new long[nDims];
                long elements = 1;
                for (int d = 0; d < nDims; d++) {
                    shape[d] = u64("dimension of tensor '" + name + "'");
                    if (shape[d] <= 0) {
                        throw new GgufException(path + ": tensor '" + name + "' has dimension "
                                + Long.toUnsignedString(shape[d]));
                    }
                    // no ggml type packs more than 8 elements in a byte, so more cannot fit the file
                    elements = shape[d] > MAX_ELEMENTS_PER_BYTE * seg.byteSize() ? Long.MAX_VALUE
                            : Math.min(Long.MAX_VALUE, multiplySaturated(elements, shape[d]));
                    if (elements > MAX_ELEMENTS_PER_BYTE * seg.byteSize()) {
                        throw new GgufException(path + ": tensor '" + name + "' declares shape "
                                + shapeText(shape, d) + ", more elements than the file ("
                                + seg.byteSize() + " bytes) can hold (corrupt header)");
                    }
                }
                int typeCode = u32("type of tensor '" + name + "'");
                GgmlType type = GgmlType.fromCode(typeCode);
                if (type == null) {
                    throw new GgufException(path + ": tensor '" + name + "' has unknown tensor type code " + typeCode);
                }
                long offset = u64("offset of tensor '" + name + "'");
                if (offset < 0 || offset > seg.byteSize()) { // u64 above 2^63 reads negative
                    throw new GgufException(path + ": tensor '" + name + "' offset " + Long.toUnsignedString(offset)
                            + " lies beyond the end of the file (" + seg.byteSize() + " bytes; corrupt header)");
                }
                if (offset % alignment != 0) {
                    throw new GgufException(path + ": tensor '" + name + "' offset " + offset
                            + " is not a multiple of the alignment " + alignment);
                }
                GgufTensorInfo info = new GgufTensorInfo(rawName, shape, type, offset);
                if (info.elementCount() % type.blockSize() != 0) {
                    throw new GgufException(path + ": tensor '" + name + "' of type " + type + " has "
                            + info.elementCount() + " elements, not a multiple of the block size " + type.blockSize());
                }
                if (tensors.put(name, info) != null) {
                    throw new GgufException(path + ": tensor '" + name + "' appears twice");
                }
            }
            long dataOffset = (pos + alignment - 1) / alignment * alignment;
            for (GgufTensorInfo t : tensors.values()) {
                long end = dataOffset + t.offset() + t.byteSize();
                if (t.byteSize() < 0 || end < 0 || end > seg.byteSize()) { // end < 0: the sum overflowed
                    throw new GgufException(path + ": file is truncated: tensor '" + t.name() + "' needs bytes up to "
                            + end + " but the file has " + seg.byteSize());
                }
            }
            return new GgufFile(path, arena, seg, version, md, types, tensors, alignment, dataOffset);
        }

        private static final long MAX_ELEMENTS_PER_BYTE = 8;

        private static long multiplySaturated(long a, long b) {
            long hi = Math.multiplyHigh(a, b);
            return hi != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
        }

        private static String shapeText(long[] shape, int upTo) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i <= upTo; i++) b.append(i > 0 ? ", " : "").append(Long.toUnsignedString(shape[i]));
            return b.append(upTo < shape.length - 1 ? ", ...]" : "]").toString();
        }

        /** Fails with "truncated" unless {@code n} items of at least {@code minBytes} each fit in the rest of the file. */
        private void fits(long n, long minBytes, String what) {
            long remaining = seg.byteSize() - pos;
            if (n < 0 || n > remaining / minBytes) {
                throw new GgufException(path + ": file is truncated or corrupt: " + what + " needs at least "
                        + (n < 0 || n > Long.MAX_VALUE / minBytes ? "more than " + Long.MAX_VALUE
                                : Long.toString(n * minBytes))
                        + " more bytes, but only " + remaining + " remain (offset " + pos + ")");
            }
        }

        private void need(long n, String what) {
            if (pos + n > seg.byteSize() || n < 0) {
                throw new GgufException(path + ": file is truncated while reading " + what + " (offset " + pos
                        + ", file size " + seg.byteSize() + ")");
            }
        }

        private int u32(String what) {
            need(4, what);
            int v = seg.get(U32, pos);
            pos += 4;
            return v;
        }

        private long u64(String what) {
            need(8, what);
            long v = seg.get(U64, pos);
            pos += 8;
            return v;
        }

        private long count(String what) {
            return u64(what);
        }

        private String string(String what) {
            long len = u64("length of " + what);
            fits(len, 1, "string length " + Long.toUnsignedString(len) + " of " + what);
            if (len > Integer.MAX_VALUE - 8) {
                throw new GgufException(path + ": string length " + len + " of " + what + " is too large");
            }
            byte[] b = seg.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
            pos += len;
            return new String(b, StandardCharsets.UTF_8);
        }

        private GgufValueType valueType(String key) {
            int code = u32("type of metadata '" + key + "'");
            GgufValueType t = GgufValueType.fromCode(code);
            if (t == null) {
                throw new GgufException(path + ": metadata '" + key + "' has unknown value type code " + code);
            }
            return t;
        }

        private Object value(GgufValueType type, String key) {
            String what = "metadata '" + key + "'";
            return switch (type) {
                case UINT8, INT8 -> { need(1, what); yield seg.get(ValueLayout.JAVA_BYTE, pos++); }
                case UINT16, INT16 -> {
                    need(2, what);
                    short s = seg.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), pos);
                    pos += 2;
                    yield s;
                }
                case UINT32, INT32 -> u32(what);
                case UINT64, INT64 -> u64(what);
                case FLOAT32 -> Float.intBitsToFloat(u32(what));
                case FLOAT64 -> Double.longBitsToDouble(u64(what));
                case BOOL -> {
                    need(1, what);
                    byte b = seg.get(ValueLayout.JAVA_BYTE, pos++);
                    yield b != 0;
                }
                case STRING -> string(what);
                case ARRAY -> array(key);
            };
        }

        private GgufArray array(String key) {
            GgufValueType et = valueType(key + "[]");
            long n = u64("length of array '" + key + "'");
            long minBytes = switch (et) {
                case UINT8, INT8, BOOL -> 1;
                case UINT16, INT16 -> 2;
                case UINT32, INT32, FLOAT32 -> 4;
                case UINT64, INT64, FLOAT64, STRING -> 8; // a string is at least its 8-byte length
                case ARRAY -> 12; // element type and length
            };
            fits(n, minBytes, "array '" + key + "' of " + Long.toUnsignedString(n) + " elements");
            if (n > Integer.MAX_VALUE - 8) {
                throw new GgufException(path + ": array '" + key + "' of " + n + " elements is too large");
            }
            int len = (int) n;
            String what = "array '" + key + "'";
            Object elements = switch (et) {
                case UINT8, INT8 -> { need(len, what); byte[] a = seg.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE); pos += len; yield a; }
                case UINT16, INT16 -> {
                    need(2L * len, what);
                    short[] a = seg.asSlice(pos, 2L * len).toArray(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
                    pos += 2L * len;
                    yield a;
                }
                case UINT32, INT32 -> { need(4L * len, what); int[] a = seg.asSlice(pos, 4L * len).toArray(U32); pos += 4L * len; yield a; }
                case UINT64, INT64 -> { need(8L * len, what); long[] a = seg.asSlice(pos, 8L * len).toArray(U64); pos += 8L * len; yield a; }
                case FLOAT32 -> {
                    need(4L * len, what);
                    float[] a = seg.asSlice(pos, 4L * len).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
                    pos += 4L * len;
                    yield a;
                }
                case FLOAT64 -> {
                    need(8L * len, what);
                    double[] a = seg.asSlice(pos, 8L * len).toArray(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
                    pos += 8L * len;
                    yield a;
                }
                case BOOL -> {
                    need(len, what);
                    boolean[] a = new boolean[len];
                    for (int i = 0; i < len; i++) a[i] = seg.get(ValueLayout.JAVA_BYTE, pos + i) != 0;
                    pos += len;
                    yield a;
                }
                case STRING -> {
                    String[] a = new String[len];
                    for (int i = 0; i < len; i++) a[i] = string(what + "[" + i + "]");
                    yield a;
                }
                case ARRAY -> {
                    GgufArray[] a = new GgufArray[len];
                    for (int i = 0; i < len; i++) a[i] = array(key + "[" + i + "]");
                    yield a;
                }
            };
            return new GgufArray(et, elements);
        }
    }

    /** Lists the keys in file order (for {@code inspect}). */
    public List<String> metadataKeys() {
        return List.copyOf(metadata.keySet());
    }
}
