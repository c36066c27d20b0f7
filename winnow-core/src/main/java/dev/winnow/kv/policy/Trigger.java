package dev.winnow.kv.policy;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * When a {@link BudgetedPolicy} compresses ({@code trigger=…}): always after each prompt, and
 * optionally also between the chunks of a prompt and during decoding.
 * <ul>
 *   <li>{@code prefill}: once after each prompt (the observation-window papers' schedule: SnapKV,
 *       PyramidKV, Ada-KV, ChunkKV compress the prompt once, scored by its last queries);</li>
 *   <li>{@code chunks}: also between prompt chunks (peak ≈ budget + one chunk);</li>
 *   <li>{@code decode}: also during decoding (every {@code slack} tokens);</li>
 *   <li>{@code always}: between chunks, after each prompt and during decoding.</li>
 * </ul>
 */
public enum Trigger {
    PREFILL(false, false), CHUNKS(true, false), DECODE(false, true), ALWAYS(true, true);

    private final boolean betweenChunks;
    private final boolean whileDecoding;

    Trigger(boolean betweenChunks, boolean whileDecoding) {
        this.betweenChunks = betweenChunks;
        this.whileDecoding = whileDecoding;
    }

    public boolean betweenChunks() {
        return betweenChunks;
    }

    public boolean whileDecoding() {
        return whileDecoding;
    }

    public String text() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The trigger for {@code prefill}/{@code always} as a boolean "only after each prompt". */
    public static Trigger of(boolean onlyAfterPrefill) {
        return onlyAfterPrefill ? PREFILL : ALWAYS;
    }

    /** Reads {@code trigger=prefill|chunks|decode|always}. */
    public static Trigger read(Params p, Trigger defaultTrigger) {
        String[] valid = Arrays.stream(values()).map(Trigger::text).toArray(String[]::new);
        return valueOf(p.getString("trigger", defaultTrigger.text(), valid).toUpperCase(java.util.Locale.ROOT));
    }

    /** The values, for parameter help. */
    public static String names() {
        return Arrays.stream(values()).map(Trigger::text).collect(Collectors.joining(" | "));
    }
}
