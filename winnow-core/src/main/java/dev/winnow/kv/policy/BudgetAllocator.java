package dev.winnow.kv.policy;

/** How a layer's heads share the budget. */
public interface BudgetAllocator {
    /**
     * Budgets for the heads of layer {@code layer}.
     *
     * @param base the per-head budget of the spec
     * @param scores each head's entry scores (length ≥ its size)
     * @param sizes each head's entry count
     */
    int[] allocate(int layer, int layers, int base, float[][] scores, int[] sizes);

    /**
     * Whether the layer needs compressing at all (checked before any scoring). The default:
     * some head holds more than {@code base}; allocators whose budgets differ override it.
     */
    default boolean over(int layer, int layers, int base, int[] sizes) {
        for (int s : sizes) if (s > base) return true;
        return false;
    }

    /** Every head of every layer keeps {@code base}. */
    BudgetAllocator UNIFORM = (layer, layers, base, scores, sizes) -> {
        int[] b = new int[sizes.length];
        java.util.Arrays.fill(b, base);
        return b;
    };
}
