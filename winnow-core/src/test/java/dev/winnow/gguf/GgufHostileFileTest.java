package dev.winnow.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.winnow.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile GGUF headers: one-line errors, no large allocation, no raw control bytes (issue 19). */
class GgufHostileFileTest {
    @TempDir
    Path dir;

    /** Little-endian GGUF header builder. */
    private static final class Bytes {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Bytes u32(long v) {
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
            return this;
        }

        Bytes u64(long v) {
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
            return this;
        }

        Bytes str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            out.writeBytes(b);
            return this;
        }

        Bytes pad(int n) {
            out.writeBytes(new byte[n]);
            return this;
        }

        static Bytes header(long tensors, long kvs) {
            return new Bytes().u32(0x46554747).u32(3).u64(tensors).u64(kvs);
        }
    }

    private GgufException fails(Bytes b) throws IOException {
        Path f = dir.resolve("hostile.gguf");
        Files.write(f, b.out.toByteArray());
        return fails(f);
    }

    private static GgufException fails(Path f) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        GgufException e = catchThrowableOfType(GgufException.class, () -> GgufFile.open(f).close());
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(e).as("opening must fail").isNotNull();
        String m = e.getMessage();
        assertThat(m).startsWith(f.toString()).doesNotContain("\n").hasSizeLessThan(1000);
        assertThat(m.chars().filter(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))).isEmpty();
        assertThat(allocated).as("bytes allocated while failing").isLessThan(4L << 20);
        return e;
    }

    @Test
    void tokenArrayOf2To31Plus5Entries() throws IOException {
        GgufException e = fails(Bytes.header(0, 1).str("tokenizer.ggml.tokens").u32(9).u32(8).u64((1L << 31) + 5)
                .str("a").str("b"));
        assertThat(e.getMessage()).contains("truncated").contains("tokenizer.ggml.tokens").contains("2147483653");
    }

    @Test
    void arrayOf2To40Elements() throws IOException {
        GgufException e = fails(Bytes.header(0, 1).str("scores").u32(9).u32(6).u64(1L << 40).pad(64));
        assertThat(e.getMessage()).contains("truncated").contains("1099511627776");
    }

    @Test
    void stringLongerThanTheFile() throws IOException {
        assertThat(fails(Bytes.header(0, 1).str("k").u32(8).u64(1L << 62)).getMessage()).contains("truncated");
    }

    @Test
    void tensorOf2To62Elements() throws IOException {
        GgufException e = fails(Bytes.header(1, 0).str("blk.0.w").u32(2).u64(1L << 31).u64(1L << 31).u32(0).u64(0)
                .pad(64));
        assertThat(e.getMessage()).contains("blk.0.w").contains("more elements than the file");
    }

    /** Fuzzing finding (2026-12-05): an offset above 2^63 read negative and wrapped the bounds check. */
    @Test
    void tensorOffsetBeyondTheFile() throws IOException {
        long huge = -1152921504606846976L; // 0xF000000000000000 unsigned
        GgufException e = fails(Bytes.header(1, 0).str("w").u32(1).u64(4).u32(0).u64(huge).pad(64));
        assertThat(e.getMessage()).contains("'w'").contains("beyond the end of the file").contains(Long.toUnsignedString(huge));
        GgufException past = fails(Bytes.header(1, 0).str("w").u32(1).u64(4).u32(0).u64(1L << 40).pad(64));
        assertThat(past.getMessage()).contains("beyond the end of the file");
    }

    @Test
    void twoTo32Tensors() throws IOException {
        GgufException e = fails(Bytes.header(1L << 32, 0).pad(200));
        assertThat(e.getMessage()).contains("truncated").contains("tensor count 4294967296");
    }

    @Test
    void tensorNamesWithControlBytesAreEscapedAndCut() throws IOException {
        String name = "\u001b[31mred\u001b[0m".repeat(10_000);
        GgufException e = fails(Bytes.header(1, 0).str(name).u32(1).u64(0).u32(0).u64(0));
        assertThat(e.getMessage()).contains("\\x1b[31mred").contains("(" + name.length() + " chars)")
                .contains("dimension 0");
        GgufException key = fails(Bytes.header(0, 1).str("bad\u0007key\r").u32(99));
        assertThat(key.getMessage()).contains("bad\\x07key\\x0d");
    }

    @Test
    void truncatedRealFileSaysTruncated() throws IOException {
        byte[] full = Files.readAllBytes(SharedData.path("models/stories260K.gguf"));
        for (int n : new int[] {23, 100, 1000}) {
            Path f = dir.resolve("cut" + n + ".gguf");
            Files.write(f, Arrays.copyOf(full, n));
            assertThat(fails(f).getMessage()).as("cut at " + n).contains("truncated");
        }
    }

    @Test
    void fifoAndDeviceAreRefusedAtOnce() throws Exception {
        Path fifo = dir.resolve("pipe.gguf");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo not available");
        assertThat(fails(fifo).getMessage()).contains("not a regular file");
        Path dev = Path.of("/dev/zero");
        assumeTrue(Files.exists(dev));
        assertThat(fails(dev).getMessage()).contains("not a regular file");
    }
}
