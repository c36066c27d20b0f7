package dev.winnow.kv.sparse;

import dev.winnow.kv.policy.KvSpecException;
import dev.winnow.kv.policy.Params;
import dev.winnow.kv.policy.PolicyInfo;

/**
 * DELTA (2025, dynamic layer-aware token attention): the first {@code full} layers
 * attend to everything, then every {@code every}-th layer from there is a selection layer
 * (full attention, picks the top entries by attention summed over the heads sharing a store),
 * and the layers in between read only the positions the latest selection layer picked.
 */
public final class DeltaAttention extends LayerSelectedAttention {
    public static final PolicyInfo INFO = new PolicyInfo("delta",
            "full attention in the first layers, then periodic selection layers whose picks the sparse layers read",
            "DELTA 2025 (dynamic layer-aware token attention)", params(
                    PolicyInfo.param("full", "2", "first layers with full attention, no selection (default: at most layers - 1)"),
                    PolicyInfo.param("every", "8", "a selection layer every this many layers after them")), DeltaAttention::new);

    private final int fullParam; // −1: the default, min(2, layers − 1)
    private int full;
    private final int every;

    public DeltaAttention(Params p) {
        super(p);
        this.fullParam = p.has("full") ? p.getInt("full", 2, 0) : -1;
        this.every = p.getInt("every", 8, 1);
    }

    @Override
    protected void check(int layers) {
        full = fullParam >= 0 ? fullParam : Math.min(2, layers - 1);
        if (full >= layers) {
            throw new KvSpecException("delta: full=" + full + " leaves no layer to select in; the model has " + layers + " layers");
        }
    }

    @Override
    protected Role role(int layer, int layers) {
        if (layer < full) return Role.FULL;
        return (layer - full) % every == 0 ? Role.SELECT : Role.SPARSE;
    }
}
