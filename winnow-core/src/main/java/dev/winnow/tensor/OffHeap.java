package dev.winnow.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Large off-heap buffers for repacked weights: on Linux anonymous memory from {@code mmap}
 * (already zero, no Java-side clearing) with {@code madvise(MADV_HUGEPAGE)}, so transparent huge
 * pages back it where the OS offers them (fewer TLB misses while streaming gigabytes);
 * elsewhere, or if a call fails, {@link Arena#allocate}. Freed when the arena closes.
 */
final class OffHeap {
    private static final long ALIGN = 2L << 20;
    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final int MADV_DONTNEED = 4;
    private static final MethodHandle MMAP, MUNMAP, MADVISE;

    static {
        MethodHandle mmap = null, munmap = null, madvise = null;
        if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            } catch (RuntimeException | Error e) {
                mmap = munmap = madvise = null;
            }
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
    }

    private OffHeap() {
    }

    /** Zeroed, 64-byte-aligned (2 MiB on Linux) memory of {@code bytes}, freed with {@code arena}. */
    static MemorySegment allocate(long bytes, Arena arena) {
        if (MMAP != null && bytes >= ALIGN) {
            try {
                long len = (bytes + ALIGN - 1) / ALIGN * ALIGN;
                // Map one huge page more, so that a 2 MiB-aligned start can be chosen (THP needs aligned ranges).
                MemorySegment raw = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, len + ALIGN, PROT_READ_WRITE,
                        MAP_PRIVATE_ANONYMOUS, -1, 0L);
                if (raw.address() != -1L && raw.address() != 0L) {
                    long start = (raw.address() + ALIGN - 1) / ALIGN * ALIGN;
                    MemorySegment region = MemorySegment.ofAddress(start);
                    int ignored = (int) MADVISE.invokeExact(region, len, MADV_HUGEPAGE);
                    MemorySegment whole = MemorySegment.ofAddress(raw.address());
                    long total = len + ALIGN;
                    return region.reinterpret(bytes, arena, s -> unmap(whole, total));
                }
            } catch (Throwable e) {
                // fall back to the arena below
            }
        }
        return arena.allocate(bytes, 64);
    }

    /**
     * Tells the OS that the whole pages inside {@code mapped} (part of a read-only file mapping) are
     * not needed now: they leave the resident set and are read from the file again if touched.
     */
    static void release(MemorySegment mapped) {
        if (MADVISE == null || !mapped.isNative()) return;
        long page = 4096;
        long start = (mapped.address() + page - 1) / page * page;
        long end = (mapped.address() + mapped.byteSize()) / page * page;
        if (end <= start) return;
        try {
            int ignored = (int) MADVISE.invokeExact(MemorySegment.ofAddress(start), end - start, MADV_DONTNEED);
        } catch (Throwable e) {
            // only a hint
        }
    }

    private static void unmap(MemorySegment address, long len) {
        try {
            int ignored = (int) MUNMAP.invokeExact(address, len);
        } catch (Throwable e) {
            // nothing to do: the mapping is released at exit
        }
    }
}
