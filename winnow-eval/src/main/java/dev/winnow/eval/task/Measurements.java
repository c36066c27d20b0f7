package dev.winnow.eval.task;

import java.util.Map;

/**
 * What a {@link Runner} measured while a task ran one spec.
 *
 * @param prefillTokens tokens run through prompt processing (batched)
 * @param prefillSeconds time spent in it
 * @param decodeTokens tokens run one at a time (teacher-forced or generated)
 * @param decodeSeconds time spent in it
 * @param kvBytes the most bytes the cache held at the end of a sequence (measured from the stores)
 * @param kvBytesAllocated the most bytes allocated then (including spare capacity)
 * @param peakEntries the most entries any one KV head held after any forward pass
 * @param entriesPerHead mean over sequences of the entries per KV head held at the end
 * @param compressionRatio mean over sequences of 1 − entries held / entries a full cache would hold
 * @param byteCompressionRatio mean over sequences of 1 − bytes held / bytes a full f32 cache would hold
 *                             for the same positions (what quantization saves shows here, not in
 *                             {@code compressionRatio}; negative when a spec takes more than f32)
 * @param decodeByContext decode tokens/s by context length bucket (the bucket's lower bound:
 *                        0, 64, 128, 256, … tokens in the context when the token was decoded)
 */
public record Measurements(long prefillTokens, double prefillSeconds, long decodeTokens, double decodeSeconds,
                           long kvBytes, long kvBytesAllocated, int peakEntries, double entriesPerHead,
                           double compressionRatio, double byteCompressionRatio,
                           Map<Integer, Double> decodeByContext) {
    public double prefillTokensPerSecond() {
        return prefillSeconds > 0 ? prefillTokens / prefillSeconds : 0;
    }

    public double decodeTokensPerSecond() {
        return decodeSeconds > 0 ? decodeTokens / decodeSeconds : 0;
    }
}
