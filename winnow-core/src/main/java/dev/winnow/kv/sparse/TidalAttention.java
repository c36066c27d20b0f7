package dev.winnow.kv.sparse;

import dev.winnow.kv.policy.KvSpecException;
import dev.winnow.kv.policy.Params;
import dev.winnow.kv.policy.PolicyInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * TidalDecode (Yang et al. 2024): a few selection layers run full attention and pick the top
 * entries per KV head; every other layer reads only the positions the latest selection layer
 * before it picked (position-persistent sparse attention); layers before the first selection
 * layer are dense. By default, as the reference: layers 0–1 dense, selection at layer 2 and one
 * re-selection in the middle layer ({@code 2/mid}; clamped to the last layer on models of fewer
 * than 3 layers). {@code layers=0/8/15} chooses the selection layers ('/' separates them).
 */
public final class TidalAttention extends LayerSelectedAttention {
    public static final PolicyInfo INFO = new PolicyInfo("tidal",
            "selection layers attend fully and pick the top entries; the following layers read only those positions",
            "Yang et al. 2024, TidalDecode", params(
                    PolicyInfo.param("layers", "2/mid", "selection layers, separated by '/' ('mid' = layers/2); earlier layers dense")), TidalAttention::new);

    private final List<String> layerNames;
    private final boolean defaultLayers;
    private TreeSet<Integer> selection;

    public TidalAttention(Params p) {
        super(p);
        this.layerNames = parseLayers(p, "layers", "2/mid");
        this.defaultLayers = !p.has("layers");
    }

    /** Parses a '/'-separated list of layer numbers or 'mid'. */
    static List<String> parseLayers(Params p, String name, String defaultValue) {
        String text = p.getString(name, defaultValue);
        List<String> out = new ArrayList<>();
        for (String part : text.split("/")) {
            String t = part.trim();
            if (!t.equals("mid")) {
                try {
                    if (Integer.parseInt(t) < 0) throw new NumberFormatException();
                } catch (NumberFormatException e) {
                    throw new KvSpecException(p.policy() + ": " + name + "=" + text + " should be layer numbers >= 0 or 'mid' separated by '/', e.g. 0/mid");
                }
            }
            out.add(t);
        }
        return List.copyOf(out);
    }

    static TreeSet<Integer> resolve(List<String> names, int layers, String policy, String param) {
        TreeSet<Integer> out = new TreeSet<>();
        for (String t : names) {
            int l = t.equals("mid") ? layers / 2 : Integer.parseInt(t);
            if (l >= layers) {
                throw new KvSpecException(policy + ": " + param + " names layer " + l + " but the model has " + layers + " layers (0-" + (layers - 1) + ")");
            }
            out.add(l);
        }
        return out;
    }

    @Override
    protected void check(int layers) {
        selection = defaultLayers && layers < 3 ? new TreeSet<>(List.of(layers - 1))
                : resolve(layerNames, layers, "tidal", "layers");
    }

    /** The selection layers for the attached model. */
    public TreeSet<Integer> selectionLayers() {
        return selection;
    }

    @Override
    protected Role role(int layer, int layers) {
        return selection.contains(layer) ? Role.SELECT : Role.SPARSE;
    }
}
