package dev.winnow.kv.policy;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import java.util.List;

/**
 * {@code streaming}: StreamingLLM (Xiao et al., 2023). Keeps the first {@code sinks} entries
 * (attention sinks) and the last {@code window}. With {@code reposition=true} (the default)
 * positions are assigned inside the cache — kept keys are re-rotated to positions
 * {@code 0 … size−1} and each new token takes the next one — so generation can run past the
 * model's trained context.
 */
public final class StreamingLlmPolicy implements WindowedPolicy {
    public static final PolicyInfo INFO = new PolicyInfo("streaming",
            "attention sinks + recent window, positions re-assigned inside the cache", "Xiao et al. 2023, StreamingLLM",
            List.of(PolicyInfo.param("sinks", "4", "first entries always kept"),
                    PolicyInfo.param("window", "1020", "most recent entries kept"),
                    PolicyInfo.param("reposition", "true", "re-assign positions inside the cache (true | false)")),
            StreamingLlmPolicy::create);

    private final String spec;
    private final int sinks;
    private final int window;
    private final boolean reposition;

    StreamingLlmPolicy(String spec, int sinks, int window, boolean reposition) {
        this.spec = spec;
        this.sinks = sinks;
        this.window = window;
        this.reposition = reposition;
    }

    static KvPolicy create(Params p) {
        int sinks = p.getInt("sinks", 4, 0);
        int window = p.getInt("window", 1020, 1);
        boolean repos = p.getString("reposition", "true", "true", "false").equals("true");
        return new StreamingLlmPolicy(p.spec(), sinks, window, repos);
    }

    @Override
    public String spec() {
        return spec;
    }

    public int budget() {
        return sinks + window;
    }

    @Override
    public void compress(KvCache cache, PolicyContext ctx) {
        for (int l = 0; l < cache.layers(); l++) {
            for (int h = 0; h < cache.kvHeads(); h++) {
                HeadStore s = cache.head(l, h);
                int n = s.size();
                if (n > sinks + window) {
                    int[] keep = new int[sinks + window];
                    for (int i = 0; i < sinks; i++) keep[i] = i;
                    for (int i = 0; i < window; i++) keep[sinks + i] = n - window + i;
                    s.retain(keep);
                }
                if (reposition) {
                    for (int i = 0; i < s.size(); i++) s.reposition(i, i, ctx.rotation());
                }
            }
        }
    }

    @Override
    public int positionFor(KvCache cache, int absoluteIndex, int indexInBatch) {
        return reposition ? cache.head(0, 0).size() + indexInBatch : absoluteIndex;
    }

    @Override
    public boolean unboundedContext() {
        return reposition;
    }

    public boolean repositions() {
        return reposition;
    }
}
