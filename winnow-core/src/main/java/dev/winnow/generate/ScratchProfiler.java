package dev.winnow.generate;

import dev.winnow.kv.AttentionRecorder;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.HeadProfiler;
import dev.winnow.model.ForwardState;
import dev.winnow.model.ModelConfig;
import dev.winnow.model.Transformer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Profiling passes over a scratch cache (head profiles, channel calibration) for the policies
 * of a {@link Session} or a {@link BatchSequence}: tokens run in chunks at positions 0….
 */
final class ScratchProfiler implements HeadProfiler {
    private final Transformer transformer;
    private final int chunk;

    ScratchProfiler(Transformer transformer, int chunk) {
        this.transformer = transformer;
        this.chunk = chunk;
    }

    @Override
    public void run(int[] tokens, AttentionRecorder recorder) {
        run(tokens, c -> c.recordAttention(recorder), c -> { });
    }

    @Override
    public void run(int[] tokens, Consumer<KvCache> setup, Consumer<KvCache> inspect) {
        ModelConfig config = transformer.config();
        KvCache scratch = new KvCache(config.layers(), config.kvHeads(), config.headSize());
        setup.accept(scratch);
        ForwardState st = new ForwardState(config, Math.max(1, Math.min(chunk, tokens.length)));
        int[] positions = new int[st.capacity()];
        for (int start = 0; start < tokens.length; start += st.capacity()) {
            int n = Math.min(st.capacity(), tokens.length - start);
            for (int i = 0; i < n; i++) positions[i] = start + i;
            transformer.forward(Arrays.copyOfRange(tokens, start, start + n), positions, n, scratch, st, false);
        }
        inspect.accept(scratch);
    }
}
