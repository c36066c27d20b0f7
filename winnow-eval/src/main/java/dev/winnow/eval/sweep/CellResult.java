package dev.winnow.eval.sweep;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * One finished sweep cell, as written to the results file (one JSON line, snake_case keys).
 *
 * @param winnow the Winnow version that computed it
 * @param time when it finished (ISO-8601, UTC)
 * @param cell the cell's identity: a hash of model SHA-256, task, task parameters, spec, seed and batch
 * @param model the model: name, file, SHA-256, size
 * @param task the task's name
 * @param taskParams the task's parameters
 * @param spec the spec run
 * @param baseSpec the spec the user gave (before the budget or ratio was added)
 * @param policy the policy name
 * @param budget entries per head, or null
 * @param ratio fraction of entries removed, or null
 * @param seed the task's seed
 * @param batch prompt tokens per forward pass
 * @param threads threads the kernels ran on
 * @param metrics the task's metrics
 * @param headline the metrics the report plots against compression
 * @param kv what the cache held (measured)
 * @param speed throughput and wall time
 * @param details task-specific data (segments, needle grid, items)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CellResult(String winnow, String time, String cell, ModelInfo model, String task,
                         Map<String, Object> taskParams, String spec, String baseSpec, String policy, Integer budget,
                         Double ratio, long seed, int batch, int threads, Map<String, Double> metrics,
                         List<String> headline, Kv kv, Speed speed, Map<String, Object> details) {

    /** The model a result belongs to. */
    public record ModelInfo(String name, String file, String sha256, long bytes) {
    }

    /**
     * The cache, measured from its stores.
     *
     * @param bytes the most bytes held at the end of a sequence
     * @param bytesAllocated the most bytes allocated then
     * @param peakEntries the most entries one KV head held after any forward pass
     * @param entriesPerHead mean entries per KV head at the end of a sequence
     * @param compressionRatio mean of 1 − entries held / entries of a full cache
     * @param byteCompressionRatio mean of 1 − bytes held / bytes of a full f32 cache of the same
     *                             positions; null in results written before it was measured
     */
    public record Kv(long bytes, long bytesAllocated, int peakEntries, double entriesPerHead, double compressionRatio,
                     Double byteCompressionRatio) {
        /** The compression in bytes when measured, else (older results) in entries. */
        public double compression() {
            return byteCompressionRatio != null ? byteCompressionRatio : compressionRatio;
        }
    }

    /**
     * @param prefillTokensPerSecond prompt tokens per second
     * @param decodeTokensPerSecond single-token steps per second
     * @param decodeByContext decode tokens/s by context bucket (lower bound, tokens)
     */
    public record Speed(double prefillTokensPerSecond, double decodeTokensPerSecond, long prefillTokens, long decodeTokens,
                        double wallSeconds, Map<String, Double> decodeByContext) {
    }

    /** A metric, or null. */
    public Double metric(String name) {
        return metrics == null ? null : metrics.get(name);
    }

    /** {@code budget=64}, {@code ratio=0.5} or {@code -}. */
    public String setting() {
        if (budget != null) return "budget=" + budget;
        if (ratio != null) return "ratio=" + ratio;
        return "-";
    }
}
