package dev.winnow.cli;

import dev.winnow.model.ModelConfig;
import java.io.PrintWriter;

/**
 * Checks run settings against the machine and the model before anything large is allocated:
 * batch above the context is clamped, context above the model's trained one is warned about, and
 * a full-precision KV cache that would not fit the JVM heap at the requested context is reported
 * with the number (the policy may keep fewer entries, so it is a warning, not a refusal).
 */
public final class RunLimits {
    private RunLimits() {
    }

    /** {@code batch} clamped to {@code ctx}, with a note when it was given ({@code explicit}) and clamped. */
    public static int batch(int batch, boolean explicit, int ctx, PrintWriter err) {
        if (batch < 1) throw new CliException("--batch must be at least 1, got " + batch);
        if (batch <= ctx) return batch;
        if (!explicit) return ctx;
        err.println("winnow: note: --batch " + batch + " is more than the context " + ctx + "; using " + ctx);
        err.flush();
        return ctx;
    }

    /** Warns about a context above the trained one or a full KV cache that would not fit the heap. */
    static void context(int ctx, ModelConfig c, PrintWriter err) {
        if (ctx < 1) throw new CliException("--ctx must be at least 1, got " + ctx);
        if (ctx > c.contextLength()) {
            err.println("winnow: warning: --ctx " + ctx + " is above the model's trained context " + c.contextLength()
                    + "; output quality is likely to degrade past it");
        }
        long kvBytes = c.kvBytesPerTokenF32() * ctx;
        Runtime rt = Runtime.getRuntime();
        long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (kvBytes > available) {
            err.println(Format.f("winnow: warning: a full KV cache at context %d needs %s but only %s of heap is "
                    + "available; lower --ctx, use a compressing --kv policy, or raise WINNOW_JAVA_OPTS=-Xmx…",
                    ctx, Format.bytes(kvBytes), Format.bytes(available)));
        }
        err.flush();
    }
}
