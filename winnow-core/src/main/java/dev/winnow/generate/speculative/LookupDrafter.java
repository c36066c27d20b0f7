package dev.winnow.generate.speculative;

/**
 * Prompt lookup decoding: finds the most recent earlier occurrence of the context's last
 * {@code n} tokens (then shorter suffixes, down to one token) and proposes the {@code k} tokens
 * that followed it. Free to compute, strong when the output copies from the prompt or repeats
 * itself. Search time is linear in the context per step.
 */
public final class LookupDrafter implements Drafter {
    private final int n;
    private final int k;
    private int[] buf = new int[0];

    public LookupDrafter(int n, int k) {
        if (n < 1) throw new IllegalArgumentException("lookup: n=" + n + " must be >= 1");
        if (k < 1) throw new IllegalArgumentException("lookup: k=" + k + " must be >= 1");
        this.n = n;
        this.k = k;
    }

    @Override
    public String spec() {
        return "lookup:n=" + n + ",k=" + k;
    }

    @Override
    public Draft draft(int[] context, int length, int maxRows) {
        int want = Math.min(k, maxRows - 1);
        if (buf.length < k) buf = new int[k];
        for (int g = Math.min(n, length - 1); g >= 1 && want > 0; g--) {
            int suffix = length - g;
            for (int i = suffix - 1; i >= 0; i--) {
                if (matches(context, i, suffix, g)) {
                    int from = i + g, m = Math.min(want, length - from);
                    System.arraycopy(context, from, buf, 0, m);
                    return Draft.chain(context[length - 1], buf, m);
                }
            }
        }
        return Draft.chain(context[length - 1], buf, 0);
    }

    private static boolean matches(int[] c, int i, int suffix, int g) {
        for (int j = 0; j < g; j++) if (c[i + j] != c[suffix + j]) return false;
        return true;
    }
}
