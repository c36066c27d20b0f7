package dev.winnow.kv.policy;

import java.util.Arrays;

/**
 * PyramidKV's budgets: every head of a layer keeps the same number of entries, and that number
 * decreases linearly with depth. The entries beyond the protected observation window
 * ({@code window}) follow KVCache-Factory's pyramid: with {@code b = base − window},
 * {@code min = b / beta}, {@code max = 2b − min}, layer {@code l} of {@code L} keeps
 * {@code window + round(max − l·(max − min)/(L − 1))}. The mean over layers is {@code base}
 * (up to rounding), so the total matches a uniform budget. A single layer keeps {@code base}.
 *
 * <p>Not reproduced: KVCache-Factory caps {@code max} at the prompt length (moving the surplus
 * to the upper layers) and skips compression for prompts shorter than the budget; here a layer
 * whose budget exceeds what it holds simply keeps everything.
 */
public final class PyramidAllocator implements BudgetAllocator {
    private final double beta;
    private final int window;

    /**
     * @param beta the pyramid's shape, {@code >= 1} (larger: steeper); KVCache-Factory uses 20
     * @param window entries per head outside the pyramid (SnapKV's protected window)
     */
    public PyramidAllocator(double beta, int window) {
        if (!(beta >= 1)) throw new IllegalArgumentException("beta must be >= 1, got " + beta);
        if (window < 0) throw new IllegalArgumentException("window must be >= 0, got " + window);
        this.beta = beta;
        this.window = window;
    }

    /** The per-head budget of layer {@code layer} of {@code layers} for a mean budget {@code base}. */
    public int budget(int layer, int layers, int base) {
        return budget(layer, layers, base, window, beta);
    }

    /** See the class comment; {@code window} is clamped to {@code base}. */
    public static int budget(int layer, int layers, int base, int window, double beta) {
        if (layer < 0 || layer >= layers) throw new IndexOutOfBoundsException("layer " + layer + " of " + layers);
        if (layers == 1) return base;
        int w = Math.min(window, base);
        double b = base - w;
        double min = b / beta;
        double max = 2 * b - min;
        double steps = (max - min) / (layers - 1);
        return w + (int) Math.round(max - layer * steps);
    }

    /** The budgets of every layer. */
    public int[] budgets(int layers, int base) {
        int[] out = new int[layers];
        for (int l = 0; l < layers; l++) out[l] = budget(l, layers, base);
        return out;
    }

    @Override
    public int[] allocate(int layer, int layers, int base, float[][] scores, int[] sizes) {
        int[] b = new int[sizes.length];
        Arrays.fill(b, budget(layer, layers, base));
        return b;
    }

    @Override
    public boolean over(int layer, int layers, int base, int[] sizes) {
        int b = budget(layer, layers, base);
        for (int s : sizes) if (s > b) return true;
        return false;
    }
}
