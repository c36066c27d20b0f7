package dev.winnow.kv.policy;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.tokenizer.Tokenizer;
import java.util.List;

/**
 * {@code sepllm}: SepLLM (Chen et al., 2024), training-free. A head keeps the first
 * {@code sinks} entries, the last {@code window} entries, and — in the room the budget leaves —
 * the entries whose token is a separator (punctuation or a line break), newest first: the
 * separators condense the segments they close. When there are fewer separators than room, the
 * rest goes to the newest other entries (SepLLM's "past window" before its separators are
 * taken), so a head over budget ends at exactly {@code budget} entries.
 *
 * <p>Separator tokens are found once from the tokenizer's vocabulary: a token is a separator
 * when its decoded text, spaces removed, is non-empty and made only of {@code . , ; : ! ?},
 * their full-width forms, line breaks and tabs ({@link #isSeparatorText}). This covers
 * SepLLM's list ({@code . , ? ! ; :} with or without a leading space, and {@code \n}); its pure
 * space tokens are left out. An entry's token is looked up through its position in the
 * session's history, so the policy assumes positions are the tokens' absolute indices.
 */
public final class SepLlmPolicy extends BudgetedPolicy {
    public static final PolicyInfo INFO = new PolicyInfo("sepllm",
            "sinks + separator tokens (punctuation, newlines; newest first) + recent window", "Chen et al. 2024, SepLLM",
            List.of(PolicyInfo.param("budget", "256", "entries kept per KV head"),
                    PolicyInfo.param("ratio", "-", "instead of budget: fraction of entries removed"),
                    PolicyInfo.param("sinks", "4", "first entries always kept"),
                    PolicyInfo.param("window", "budget/2", "most recent entries always kept"),
                    PolicyInfo.param("trigger", "always", "always | prefill (compress only after each prompt)")),
            SepLlmPolicy::create);

    private final int sinks;
    private final int window; // -1: half the budget
    private Tokenizer separatorsOf;
    private boolean[] separators;

    SepLlmPolicy(String spec, Budget budget, int sinks, int window, boolean onlyAfterPrefill) {
        super(spec, budget, onlyAfterPrefill);
        this.sinks = sinks;
        this.window = window;
    }

    static KvPolicy create(Params p) {
        Budget b = Budget.from(p, 256);
        int sinks = p.getInt("sinks", 4, 0);
        int window = p.has("window") ? p.getInt("window", 0, 0) : -1;
        if (!b.isRatio()) {
            int w = window < 0 ? b.entries() / 2 : window;
            if (sinks + w > b.entries()) {
                throw new KvSpecException(p.policy() + ": sinks (" + sinks + ") + window (" + w + ") exceed the budget "
                        + b.entries());
            }
        }
        return new SepLlmPolicy(p.spec(), b, sinks, window, BudgetedPolicy.readOnlyAfterPrefill(p, "always"));
    }

    @Override
    public void attach(KvCache cache, PolicyContext ctx) {
        if (ctx.tokenizer() == null) throw new IllegalStateException(spec() + ": SepLLM needs the model's tokenizer");
        if (ctx.history() == null) throw new IllegalStateException(spec() + ": SepLLM needs the token history");
        separatorsOf(ctx.tokenizer());
        super.attach(cache, ctx);
    }

    /** Whether a token's decoded text marks a segment end (see the class comment). */
    public static boolean isSeparatorText(String text) {
        boolean any = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ') continue;
            if (".,;:!?\n\r\t。，、；：！？".indexOf(c) < 0) return false;
            any = true;
        }
        return any;
    }

    /** The separator flags of a tokenizer's vocabulary (computed once per tokenizer). */
    public boolean[] separatorsOf(Tokenizer tok) {
        if (separators == null || separatorsOf != tok) {
            boolean[] s = new boolean[tok.vocabSize()];
            for (int id = 0; id < s.length; id++) {
                if (!tok.isControl(id)) s[id] = isSeparatorText(tok.decode(new int[] {id}));
            }
            separators = s;
            separatorsOf = tok;
        }
        return separators;
    }

    @Override
    public void compress(KvCache cache, PolicyContext ctx) {
        int b = budgetFor(cache);
        boolean[] sep = separatorsOf(ctx.tokenizer());
        PolicyContext.History history = ctx.history();
        for (int l = 0; l < cache.layers(); l++) {
            for (int h = 0; h < cache.kvHeads(); h++) {
                HeadStore s = cache.head(l, h);
                int n = s.size();
                if (n <= b) continue;
                s.retain(select(s, n, b, sep, history));
            }
        }
    }

    private int[] select(HeadStore store, int n, int b, boolean[] sep, PolicyContext.History history) {
        int sk = Math.min(sinks, b);
        int w = Math.min(window < 0 ? b / 2 : window, b - sk);
        boolean[] keep = new boolean[n];
        for (int i = 0; i < sk; i++) keep[i] = true;
        for (int i = n - w; i < n; i++) keep[i] = true;
        int free = b - sk - w;
        // Separators, newest first.
        for (int i = n - w - 1; i >= sk && free > 0; i--) {
            int pos = store.position(i);
            if (pos >= 0 && pos < history.length()) {
                int t = history.token(pos);
                if (t >= 0 && t < sep.length && sep[t]) {
                    keep[i] = true;
                    free--;
                }
            }
        }
        // Room left: the newest other entries.
        for (int i = n - w - 1; i >= sk && free > 0; i--) {
            if (!keep[i]) {
                keep[i] = true;
                free--;
            }
        }
        int[] out = new int[b];
        int k = 0;
        for (int i = 0; i < n; i++) if (keep[i]) out[k++] = i;
        return out;
    }
}
