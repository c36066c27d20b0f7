package dev.winnow.kv.sparse;

import dev.winnow.kv.HeadStore;
import dev.winnow.kv.KvCache;
import dev.winnow.kv.policy.Params;
import dev.winnow.kv.policy.PolicyContext;
import dev.winnow.tensor.Softmax;
import java.util.Arrays;

/**
 * The shared machine of TidalDecode and DELTA: some layers attend to everything ("full"), some
 * attend to everything and also pick, per KV head, the middle entries with the highest attention
 * (softmax of the query heads' scores, summed over the heads sharing the store) — the
 * "selection" layers — and every other layer reads only the positions picked by the latest
 * selection layer before it (plus its own sinks and recent window). Positions, not entry
 * indices, carry the choice from layer to layer, so layers that hold different entries
 * (after eviction) still read the same tokens where they have them.
 */
abstract class LayerSelectedAttention extends SparseAttention {
    private int[][] chosen; // per KV head: positions picked by the latest selection layer (null: none)
    private int[] chosenCount;
    private int[] picked = new int[64];
    private int[] mapped = new int[64];
    private float[] probs = new float[64];
    private int lastSelectionLayer = -1;

    LayerSelectedAttention(Params p) {
        super(p);
    }

    /** What layer {@code l} does, for a model of {@code layers} layers. */
    enum Role { FULL, SELECT, SPARSE }

    protected abstract Role role(int layer, int layers);

    /** Checks the configuration against the model (layer numbers in range). */
    protected abstract void check(int layers);

    @Override
    protected void reset(KvCache cache, PolicyContext ctx) {
        check(cache.layers());
        chosen = new int[cache.kvHeads()][0];
        chosenCount = new int[cache.kvHeads()];
        lastSelectionLayer = -1;
    }

    /** The layer whose picks the sparse layers of the current step read, or −1 (for tests). */
    public int lastSelectionLayer() {
        return lastSelectionLayer;
    }

    /** The positions head {@code kvHead}'s sparse layers read (beyond sinks and recent), ascending (for tests). */
    public int[] chosenPositions(int kvHead) {
        return Arrays.copyOf(chosen[kvHead], chosenCount[kvHead]);
    }

    @Override
    protected void choose(int layer, float[] q, KvCache cache, Selection out) {
        Role role = role(layer, cache.layers());
        if (layer == 0) lastSelectionLayer = -1; // a new step
        for (int kvh = 0; kvh < cache.kvHeads(); kvh++) {
            HeadStore store = cache.head(layer, kvh);
            switch (role) {
                case FULL -> out.all(kvh);
                case SELECT -> {
                    out.all(kvh);
                    pick(layer, kvh, store, q, cache.headSize());
                }
                case SPARSE -> {
                    if (fits(store) || lastSelectionLayer < 0 || chosen[kvh] == null) out.all(kvh);
                    else readChosen(out, kvh, store);
                }
            }
        }
        if (role == Role.SELECT) lastSelectionLayer = layer;
    }

    /** Picks the head's highest-attention middle entries and remembers their positions (none when the store fits the budget). */
    private void pick(int layer, int kvh, HeadStore store, float[] q, int hs) {
        int n = store.size();
        if (fits(store)) {
            chosen[kvh] = null;
            return;
        }
        float[] sum = scratch(n);
        Arrays.fill(sum, 0, n, 0f);
        if (probs.length < n) probs = new float[Math.max(n, probs.length * 2)];
        int group = ctx.groupSize();
        float scale = (float) (1.0 / Math.sqrt(hs));
        for (int h = kvh * group; h < (kvh + 1) * group; h++) {
            store.scores(q, h * hs, n, scale, probs);
            addSoftmax(probs, n, sum);
        }
        if (picked.length < choosable()) picked = new int[choosable()];
        int k = top(sum, middleStart(), middleStart(), middleEnd(n), choosable(), picked);
        if (chosen[kvh] == null || chosen[kvh].length < k) chosen[kvh] = new int[Math.max(k, 16)];
        for (int j = 0; j < k; j++) chosen[kvh][j] = store.position(picked[j]);
        chosenCount[kvh] = k;
    }

    /** Adds the softmax of {@code logits[0…n)} to {@code sum} (overwriting {@code logits}). */
    static void addSoftmax(float[] logits, int n, float[] sum) {
        Softmax.inPlace(logits, n);
        for (int i = 0; i < n; i++) sum[i] += logits[i];
    }

    private void readChosen(Selection out, int kvh, HeadStore store) {
        int k = chosenCount[kvh];
        if (mapped.length < k) mapped = new int[Math.max(k, mapped.length * 2)];
        int m = 0;
        for (int j = 0; j < k; j++) {
            int i = store.indexOfPosition(chosen[kvh][j]);
            if (i >= 0) mapped[m++] = i;
        }
        keepListed(out, kvh, store.size(), mapped, m);
    }
}
