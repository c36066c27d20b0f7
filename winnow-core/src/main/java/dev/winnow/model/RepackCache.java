package dev.winnow.model;

import dev.winnow.tensor.FloatTensor;
import dev.winnow.tensor.GgmlType;
import dev.winnow.tensor.InterleavedQ4_0Tensor;
import dev.winnow.tensor.InterleavedQ8_0Tensor;
import dev.winnow.tensor.InterleavedTensor;
import dev.winnow.tensor.Repacker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The repacked weights ({@link RepackedWeights}) kept in a file, so a model is repacked once and
 * later loads map the file instead of copying every matrix again. The file is
 * {@code <cache>/derived/<content key>/winnow-repack} ({@link DerivedFiles}).
 *
 * <p>Layout: the magic {@code WNRPACK1}; a header (its length, then the model's content key,
 * size and modification time, the interleave ({@link InterleavedTensor#ROWS}), and per matrix its name, type, shape,
 * offsets and the CRC-32C of its bytes), then the header's own CRC-32C; then each matrix's quants
 * (64-byte aligned) and f16 scales. A file is used only if every check passes: magic and version,
 * header checksum, the same model (content key and size; and the same modification time, since the
 * content key samples the file and an edit between its samples would keep it), the same matrices (names, types, shapes,
 * in order), the expected length (not truncated) and every region's checksum (not corrupted).
 * Anything else is reported and the file rebuilt — a stale, truncated or foreign file is never
 * read as weights. It is written to a temporary file and moved into place, so a crash while
 * writing leaves no half file under the real name.
 */
public final class RepackCache {
    static final String KIND = "winnow-repack";
    private static final byte[] MAGIC = {'W', 'N', 'R', 'P', 'A', 'C', 'K', '1'};
    private static final int ALIGN = 64;
    /** Longest header accepted (a hostile length is not allocated). */
    private static final int MAX_HEADER = 1 << 24;

    /** How the repacked weights were obtained. */
    public enum Source { READ, WRITTEN, IN_MEMORY }

    /** The repacked weights, where they came from, and why a file was rebuilt or not used (null if read). */
    public record Result(Weights weights, Source source, Path file, String reason) {
    }

    private RepackCache() {
    }

    /**
     * The repacked form of {@code plain} for the model at {@code model}: read from its cache file
     * when that file is valid, otherwise repacked and written there (or, when the cache folder is
     * not writable, repacked in memory with the reason). Off-heap or mapped memory belongs to {@code arena}.
     */
    public static Result load(Path model, Weights plain, Arena arena) {
        Path file = DerivedFiles.path(model, KIND);
        List<Matrix> matrices = repackedMatrices(plain);
        String key = DerivedFiles.contentKey(model);
        long modelSize = size(model);
        long modelTime = modified(model);
        String reason;
        if (Files.exists(file)) {
            try {
                Weights w = read(file, key, modelSize, modelTime, plain, matrices, arena);
                return new Result(w, Source.READ, file, null);
            } catch (Invalid e) {
                reason = "repack cache " + file + " not used: " + e.getMessage() + "; rebuilding it";
            }
        } else {
            reason = "no repack cache yet; writing " + file;
        }
        try {
            Weights w = write(DerivedFiles.prepare(file), key, modelSize, modelTime, plain, matrices, arena);
            return new Result(w, Source.WRITTEN, file, reason);
        } catch (IOException | RuntimeException e) {
            return new Result(RepackedWeights.repack(plain, arena), Source.IN_MEMORY, file,
                    reason + "; could not write it (" + e.getMessage() + "), repacked in memory");
        }
    }

    /** The matrices {@link RepackedWeights} repacks, in a fixed order (layer by layer, then the output). */
    static List<Matrix> repackedMatrices(Weights w) {
        List<Matrix> out = new ArrayList<>();
        for (LayerWeights l : w.layers()) {
            for (Matrix m : List.of(l.wq(), l.wk(), l.wv(), l.wo(), l.wGate(), l.wUp(), l.wDown())) add(out, m);
        }
        if (!w.tiedOutput()) add(out, w.output());
        return out;
    }

    private static void add(List<Matrix> out, Matrix m) {
        if (Repacker.repacks(m.type(), m.cols()) && m.tensor().size() == (long) m.rows() * m.cols()) out.add(m);
    }

    /** Scales of a repacked matrix: one per block, the last group of rows padded ({@link InterleavedTensor}). */
    private static int scaleCount(Matrix m) {
        long groups = (m.rows() + InterleavedTensor.ROWS - 1) / InterleavedTensor.ROWS;
        return Math.toIntExact(groups * (m.cols() / 32) * InterleavedTensor.ROWS);
    }

    private record Entry(String name, int type, int rows, int cols, long quantOffset, long quantBytes,
                         long scalesOffset, int scales, int crc) {
    }

    private static Weights write(Path file, String key, long modelSize, long modelTime, Weights plain, List<Matrix> matrices, Arena arena)
            throws IOException {
        // Offsets first (the header's size does not depend on them: fixed-width fields).
        List<Entry> layout = new ArrayList<>();
        long at = 0;
        for (Matrix m : matrices) {
            long qb = Repacker.quantBytes(m.type(), m.rows(), m.cols());
            int sc = scaleCount(m);
            layout.add(new Entry(m.name(), m.type().code(), m.rows(), m.cols(), at, qb, at + qb, sc, 0));
            at = align(at + qb + 2L * sc);
        }
        int headerLen = header(key, modelSize, modelTime, layout, 0).length;
        long dataStart = align(MAGIC.length + 4L + headerLen + 4);
        long total = dataStart + at;
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp" + ProcessHandle.current().pid());
        List<Entry> done = new ArrayList<>();
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.READ, StandardOpenOption.WRITE);
                 Arena writing = Arena.ofConfined()) {
                MemorySegment out = ch.map(FileChannel.MapMode.READ_WRITE, 0, total, writing);
                for (int i = 0; i < matrices.size(); i++) {
                    Matrix m = matrices.get(i);
                    Entry e = layout.get(i);
                    MemorySegment quants = out.asSlice(dataStart + e.quantOffset(), e.quantBytes());
                    short[] scales = new short[e.scales()];
                    Repacker.writeInto(m.tensor(), m.rows(), m.cols(), quants, scales);
                    MemorySegment.copy(scales, 0, out, ValueLayout.JAVA_SHORT_UNALIGNED, dataStart + e.scalesOffset(), scales.length);
                    done.add(new Entry(e.name(), e.type(), e.rows(), e.cols(), e.quantOffset(), e.quantBytes(),
                            e.scalesOffset(), e.scales(), crc(out, dataStart + e.quantOffset(), e.quantBytes() + 2L * e.scales())));
                }
                byte[] header = header(key, modelSize, modelTime, done, total);
                if (header.length != headerLen) throw new IllegalStateException("repack header changed size");
                MemorySegment.copy(MAGIC, 0, out, ValueLayout.JAVA_BYTE, 0, MAGIC.length);
                out.set(ValueLayout.JAVA_INT_UNALIGNED, MAGIC.length, headerLen);
                MemorySegment.copy(header, 0, out, ValueLayout.JAVA_BYTE, MAGIC.length + 4, headerLen);
                CRC32C c = new CRC32C();
                c.update(header);
                out.set(ValueLayout.JAVA_INT_UNALIGNED, MAGIC.length + 4L + headerLen, (int) c.getValue());
                out.force();
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        try {
            return read(file, key, modelSize, modelTime, plain, matrices, arena);
        } catch (Invalid e) {
            throw new IOException("the repack cache just written does not read back: " + e.getMessage(), e);
        }
    }

    private static byte[] header(String key, long modelSize, long modelTime, List<Entry> entries, long total) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeUTF(key);
        out.writeLong(modelSize);
        out.writeLong(modelTime);
        out.writeInt(InterleavedTensor.ROWS);
        out.writeInt(entries.size());
        for (Entry e : entries) {
            out.writeUTF(e.name());
            out.writeInt(e.type());
            out.writeInt(e.rows());
            out.writeInt(e.cols());
            out.writeLong(e.quantOffset());
            out.writeLong(e.quantBytes());
            out.writeLong(e.scalesOffset());
            out.writeInt(e.scales());
            out.writeInt(e.crc());
        }
        out.writeLong(total);
        out.flush();
        return bytes.toByteArray();
    }

    /** A cache file that must not be used, with what is wrong with it. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private static Weights read(Path file, String key, long modelSize, long modelTime, Weights plain, List<Matrix> matrices, Arena arena)
            throws Invalid {
        long length = size(file);
        MemorySegment in;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            in = ch.map(FileChannel.MapMode.READ_ONLY, 0, length, arena);
        } catch (IOException e) {
            throw new Invalid("cannot read it (" + e.getMessage() + ")");
        }
        if (length < MAGIC.length + 8) throw new Invalid("truncated (" + length + " bytes)");
        for (int i = 0; i < MAGIC.length; i++) {
            if (in.get(ValueLayout.JAVA_BYTE, i) != MAGIC[i]) throw new Invalid("not a Winnow repack file of this version");
        }
        int headerLen = in.get(ValueLayout.JAVA_INT_UNALIGNED, MAGIC.length);
        if (headerLen <= 0 || headerLen > MAX_HEADER || MAGIC.length + 4L + headerLen + 4 > length) {
            throw new Invalid("truncated or damaged header (length " + headerLen + ", file " + length + " bytes)");
        }
        byte[] header = in.asSlice(MAGIC.length + 4, headerLen).toArray(ValueLayout.JAVA_BYTE);
        CRC32C c = new CRC32C();
        c.update(header);
        if ((int) c.getValue() != in.get(ValueLayout.JAVA_INT_UNALIGNED, MAGIC.length + 4L + headerLen)) {
            throw new Invalid("header checksum mismatch (damaged)");
        }
        long dataStart = align(MAGIC.length + 4L + headerLen + 4);
        List<Entry> entries = new ArrayList<>();
        long total;
        try (DataInputStream h = new DataInputStream(new ByteArrayInputStream(header))) {
            String fileKey = h.readUTF();
            long fileModelSize = h.readLong();
            if (!fileKey.equals(key) || fileModelSize != modelSize) {
                throw new Invalid("made from another model (content key " + fileKey + ", " + fileModelSize
                        + " bytes; this model is " + key + ", " + modelSize + " bytes)");
            }
            long fileModelTime = h.readLong();
            if (fileModelTime != modelTime) {
                // The content key samples the file; an edit between its samples keeps the key, not the time.
                throw new Invalid("stale: the model file was modified at " + java.time.Instant.ofEpochMilli(modelTime)
                        + ", the cache was made from its version of " + java.time.Instant.ofEpochMilli(fileModelTime));
            }
            int rows = h.readInt();
            if (rows != InterleavedTensor.ROWS) throw new Invalid("stale: interleave " + rows + ", this build uses " + InterleavedTensor.ROWS);
            int n = h.readInt();
            if (n != matrices.size()) throw new Invalid("stale: " + n + " matrices, the model has " + matrices.size() + " to repack");
            for (int i = 0; i < n; i++) {
                entries.add(new Entry(h.readUTF(), h.readInt(), h.readInt(), h.readInt(), h.readLong(), h.readLong(),
                        h.readLong(), h.readInt(), h.readInt()));
            }
            total = h.readLong();
        } catch (IOException e) {
            throw new Invalid("damaged header (" + e.getMessage() + ")");
        }
        if (length != total) throw new Invalid(length < total ? "truncated (" + length + " of " + total + " bytes)" : "longer than written (" + length + " of " + total + " bytes)");
        List<FloatTensor> tensors = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            Matrix m = matrices.get(i);
            if (!e.name().equals(m.name()) || e.type() != m.type().code() || e.rows() != m.rows() || e.cols() != m.cols()
                    || e.scales() != scaleCount(m) || e.quantBytes() != Repacker.quantBytes(m.type(), m.rows(), m.cols())) {
                throw new Invalid("stale: matrix " + i + " is " + e.name() + " " + e.rows() + "×" + e.cols()
                        + ", the model's is " + m.name() + " " + m.rows() + "×" + m.cols() + " " + m.type());
            }
            long start = dataStart + e.quantOffset();
            if (e.quantOffset() < 0 || e.scalesOffset() != e.quantOffset() + e.quantBytes()
                    || start + e.quantBytes() + 2L * e.scales() > length || start % ALIGN != 0) {
                throw new Invalid("damaged layout for " + e.name());
            }
            if (crc(in, start, e.quantBytes() + 2L * e.scales()) != e.crc()) {
                throw new Invalid("checksum mismatch in " + e.name() + " (damaged)");
            }
            MemorySegment quants = in.asSlice(start, e.quantBytes());
            short[] scales = in.asSlice(dataStart + e.scalesOffset(), 2L * e.scales()).toArray(ValueLayout.JAVA_SHORT_UNALIGNED);
            tensors.add(m.type() == GgmlType.Q8_0 ? new InterleavedQ8_0Tensor(quants, scales, m.rows(), m.cols())
                    : new InterleavedQ4_0Tensor(quants, scales, m.rows(), m.cols()));
        }
        return RepackedWeights.replace(plain, matrices, tensors);
    }

    private static int crc(MemorySegment s, long from, long n) {
        CRC32C c = new CRC32C();
        long chunk = 1 << 20;
        for (long at = 0; at < n; at += chunk) c.update(s.asSlice(from + at, Math.min(chunk, n - at)).asByteBuffer());
        return (int) c.getValue();
    }

    private static long align(long x) {
        return (x + ALIGN - 1) / ALIGN * ALIGN;
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return -1;
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }
}
