package dev.winnow.gguf;

import dev.winnow.tensor.GgmlType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF version 3 files: metadata of every value type and tensors whose bytes come from a
 * {@link TensorSource} (so multi-gigabyte models are written one tensor at a time). The file is
 * written to a temporary sibling and moved into place, so a failed write leaves no partial file.
 */
public final class GgufWriter {
    /** Fills the encoded bytes of one tensor; {@code dst} has exactly the tensor's byte size. */
    @FunctionalInterface
    public interface TensorSource {
        void fill(MemorySegment dst);
    }

    private record PendingTensor(String name, long[] shape, GgmlType type, TensorSource source) {
        long byteSize() {
            long n = 1;
            for (long d : shape) n *= d;
            return type.byteSize(n);
        }
    }

    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private final Map<String, GgufValueType> types = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private int alignment = GgufFile.DEFAULT_ALIGNMENT;

    /** Adds a metadata value with an explicit type (the Java type must match, see {@link GgufFile}). */
    public GgufWriter put(String key, GgufValueType type, Object value) {
        checkValue(key, type, value);
        if (key.equals("general.alignment")) {
            int a = (Integer) value;
            if (a <= 0 || Integer.bitCount(a) != 1) throw new IllegalArgumentException("alignment must be a power of two: " + a);
            alignment = a;
        }
        metadata.put(key, value);
        types.put(key, type);
        return this;
    }

    public GgufWriter putString(String key, String value) {
        return put(key, GgufValueType.STRING, value);
    }

    public GgufWriter putUInt32(String key, int value) {
        return put(key, GgufValueType.UINT32, value);
    }

    public GgufWriter putInt32(String key, int value) {
        return put(key, GgufValueType.INT32, value);
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValueType.FLOAT32, value);
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValueType.BOOL, value);
    }

    public GgufWriter putArray(String key, GgufArray value) {
        return put(key, GgufValueType.ARRAY, value);
    }

    /** Copies every metadata entry of {@code file}. */
    public GgufWriter putAll(GgufFile file) {
        for (String k : file.metadataKeys()) put(k, file.metadataTypes().get(k), file.get(k));
        return this;
    }

    /** Adds a tensor with shape in GGML order ({@code shape[0]} innermost). */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, TensorSource source) {
        for (PendingTensor t : tensors) {
            if (t.name.equals(name)) throw new IllegalArgumentException("tensor '" + name + "' added twice");
        }
        PendingTensor t = new PendingTensor(name, shape.clone(), type, source);
        t.byteSize(); // validates block multiple
        tensors.add(t);
        return this;
    }

    /** Adds a tensor whose bytes are already encoded. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, MemorySegment data) {
        return addTensor(name, type, shape, dst -> {
            if (data.byteSize() != dst.byteSize()) {
                throw new IllegalArgumentException("tensor '" + name + "': " + data.byteSize()
                        + " bytes given, " + dst.byteSize() + " expected for " + type + " " + java.util.Arrays.toString(shape));
            }
            dst.copyFrom(data);
        });
    }

    /** Adds an F32 tensor from floats. */
    public GgufWriter addF32(String name, long[] shape, float[] values) {
        return addTensor(name, GgmlType.F32, shape, MemorySegment.ofArray(values));
    }

    public void write(Path path) {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                Header h = new Header();
                h.u32(GgufFile.MAGIC);
                h.u32(3);
                h.u64(tensors.size());
                h.u64(metadata.size());
                for (Map.Entry<String, Object> e : metadata.entrySet()) {
                    h.string(e.getKey());
                    GgufValueType t = types.get(e.getKey());
                    h.u32(t.code());
                    h.value(t, e.getValue());
                }
                long offset = 0;
                List<Long> offsets = new ArrayList<>();
                for (PendingTensor t : tensors) {
                    h.string(t.name);
                    h.u32(t.shape.length);
                    for (long d : t.shape) h.u64(d);
                    h.u32(t.type.code());
                    h.u64(offset);
                    offsets.add(offset);
                    offset = align(offset + t.byteSize());
                }
                h.padTo(alignment);
                h.flush(ch);
                long dataStart = ch.position();
                for (int i = 0; i < tensors.size(); i++) {
                    PendingTensor t = tensors.get(i);
                    // One shared arena per tensor: sources may fill from several threads, and
                    // memory is given back after each tensor (peak = the largest tensor).
                    try (Arena arena = Arena.ofShared()) {
                        MemorySegment buf = arena.allocate(Math.max(1, t.byteSize()), 64).asSlice(0, t.byteSize());
                        t.source.fill(buf);
                        ch.position(dataStart + offsets.get(i));
                        writeFully(ch, buf.asByteBuffer());
                    }
                }
                // Pad the file so the last tensor ends on an alignment boundary (as llama.cpp does).
                long end = dataStart + offset;
                if (ch.position() < end) writeFully(ch, ByteBuffer.allocate((int) (end - ch.position())));
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } catch (IOException e) {
            throw new GgufException(path + ": cannot write: " + e.getMessage(), e);
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file is the only thing left behind
                }
            }
        }
    }

    private long align(long x) {
        return (x + alignment - 1) / alignment * alignment;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    private static void checkValue(String key, GgufValueType type, Object v) {
        boolean ok = switch (type) {
            case UINT8, INT8 -> v instanceof Byte;
            case UINT16, INT16 -> v instanceof Short;
            case UINT32, INT32 -> v instanceof Integer;
            case UINT64, INT64 -> v instanceof Long;
            case FLOAT32 -> v instanceof Float;
            case FLOAT64 -> v instanceof Double;
            case BOOL -> v instanceof Boolean;
            case STRING -> v instanceof String;
            case ARRAY -> v instanceof GgufArray;
        };
        if (!ok) {
            throw new IllegalArgumentException("metadata '" + key + "': " + type + " needs a "
                    + GgufArray.javaArrayClass(type).getComponentType().getSimpleName() + ", got "
                    + (v == null ? "null" : v.getClass().getSimpleName()));
        }
    }

    /** Growable little-endian buffer for the header. */
    private static final class Header {
        private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private void ensure(int n) {
            if (buf.remaining() < n) {
                ByteBuffer b = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n)).order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                b.put(buf);
                buf = b;
            }
        }

        void u8(byte v) { ensure(1); buf.put(v); }
        void u16(short v) { ensure(2); buf.putShort(v); }
        void u32(int v) { ensure(4); buf.putInt(v); }
        void u64(long v) { ensure(8); buf.putLong(v); }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            ensure(b.length);
            buf.put(b);
        }

        void value(GgufValueType t, Object v) {
            switch (t) {
                case UINT8, INT8 -> u8((Byte) v);
                case UINT16, INT16 -> u16((Short) v);
                case UINT32, INT32 -> u32((Integer) v);
                case UINT64, INT64 -> u64((Long) v);
                case FLOAT32 -> u32(Float.floatToRawIntBits((Float) v));
                case FLOAT64 -> u64(Double.doubleToRawLongBits((Double) v));
                case BOOL -> u8((byte) (((Boolean) v) ? 1 : 0));
                case STRING -> string((String) v);
                case ARRAY -> array((GgufArray) v);
            }
        }

        void array(GgufArray a) {
            u32(a.elementType().code());
            int n = a.size();
            u64(n);
            Object e = a.elements();
            switch (a.elementType()) {
                case UINT8, INT8 -> { ensure(n); buf.put((byte[]) e); }
                case UINT16, INT16 -> { for (short s : (short[]) e) u16(s); }
                case UINT32, INT32 -> { for (int i : (int[]) e) u32(i); }
                case UINT64, INT64 -> { for (long l : (long[]) e) u64(l); }
                case FLOAT32 -> { for (float f : (float[]) e) u32(Float.floatToRawIntBits(f)); }
                case FLOAT64 -> { for (double d : (double[]) e) u64(Double.doubleToRawLongBits(d)); }
                case BOOL -> { for (boolean b : (boolean[]) e) u8((byte) (b ? 1 : 0)); }
                case STRING -> { for (String s : (String[]) e) string(s); }
                case ARRAY -> { for (GgufArray x : (GgufArray[]) e) array(x); }
            }
        }

        void padTo(int alignment) {
            while (buf.position() % alignment != 0) u8((byte) 0);
        }

        void flush(FileChannel ch) throws IOException {
            buf.flip();
            writeFully(ch, buf);
        }
    }
}
