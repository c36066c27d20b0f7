package dev.winnow.cli;

import dev.winnow.kv.KvStats;
import java.io.PrintWriter;

/** Prints {@link KvStats}: entries per layer (min–max over heads) and bytes. */
final class KvStatsTable {
    private KvStatsTable() {
    }

    static void print(PrintWriter err, KvStats stats, String spec) {
        err.println("KV cache (" + spec + "): " + stats);
        if (stats.reads().headSteps() > 0) err.println("reads: " + stats.reads());
        err.println("layer  entries per head (min-max)  total  peak");
        int[][] e = stats.entries();
        for (int l = 0; l < e.length; l++) {
            int min = Integer.MAX_VALUE, max = 0, total = 0, peak = 0;
            for (int h = 0; h < e[l].length; h++) {
                min = Math.min(min, e[l][h]);
                max = Math.max(max, e[l][h]);
                total += e[l][h];
                peak = Math.max(peak, stats.peakEntries()[l][h]);
            }
            err.println(Format.f("%5d  %13d-%-13d  %5d  %4d", l, min, max, total, peak));
        }
        err.flush();
    }
}
