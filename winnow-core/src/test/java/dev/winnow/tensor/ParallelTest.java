package dev.winnow.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ParallelTest {
    @Test
    void everyIndexRunsExactlyOnceForAnySplit() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            try (Parallel p = new Parallel(threads)) {
                for (int n : new int[] {1, 2, 3, 7, 64, 1000}) {
                    for (int min : new int[] {1, 4, 100}) {
                        AtomicIntegerArray hits = new AtomicIntegerArray(n);
                        for (int rep = 0; rep < 50; rep++) {
                            p.forRange(n, min, (from, to) -> {
                                for (int i = from; i < to; i++) hits.incrementAndGet(i);
                            });
                        }
                        for (int i = 0; i < n; i++) assertThat(hits.get(i)).as("t%d n%d min%d i%d", threads, n, min, i).isEqualTo(50);
                    }
                }
            }
        }
    }

    @Test
    void aFailureInAWorkerChunkReachesTheCaller() {
        try (Parallel p = new Parallel(3)) {
            assertThatThrownBy(() -> p.forRange(30, (from, to) -> {
                if (from > 0) throw new IllegalStateException("chunk " + from);
            })).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("chunk ");
            // The pool still works afterwards.
            AtomicLong sum = new AtomicLong();
            p.forRange(100, (from, to) -> {
                for (int i = from; i < to; i++) sum.addAndGet(i);
            });
            assertThat(sum.get()).isEqualTo(4950);
        }
    }

    @Test
    void nestedAndConcurrentCallsAreSafe() throws Exception {
        try (Parallel p = new Parallel(2)) {
            AtomicLong inner = new AtomicLong();
            p.forRange(8, (from, to) -> p.forRange(10, (a, b) -> inner.addAndGet(b - a)));
            assertThat(inner.get()).isEqualTo(10L * 2);
            AtomicLong total = new AtomicLong();
            Thread[] callers = new Thread[4];
            for (int c = 0; c < callers.length; c++) {
                callers[c] = new Thread(() -> {
                    for (int rep = 0; rep < 200; rep++) p.forRange(50, (a, b) -> total.addAndGet(b - a));
                });
                callers[c].start();
            }
            for (Thread t : callers) t.join();
            assertThat(total.get()).isEqualTo(4L * 200 * 50);
        }
    }
}
