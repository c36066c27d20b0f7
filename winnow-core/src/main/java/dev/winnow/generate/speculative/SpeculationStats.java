package dev.winnow.generate.speculative;

/**
 * Counts of a session's speculative decoding: verification passes (steps), draft tokens proposed
 * and accepted. Each step also yields one token no draft proposed, so tokens per step =
 * 1 + accepted / steps.
 */
public final class SpeculationStats {
    private long steps, drafted, accepted;

    public void add(int draftedTokens, int acceptedTokens) {
        steps++;
        drafted += draftedTokens;
        accepted += acceptedTokens;
    }

    public long steps() {
        return steps;
    }

    public long drafted() {
        return drafted;
    }

    public long accepted() {
        return accepted;
    }

    /** Accepted of proposed draft tokens (0 when none was proposed). */
    public double acceptanceRate() {
        return drafted == 0 ? 0 : (double) accepted / drafted;
    }

    /** Draft tokens accepted per verification pass. */
    public double meanAccepted() {
        return steps == 0 ? 0 : (double) accepted / steps;
    }

    public void clear() {
        steps = drafted = accepted = 0;
    }

    @Override
    public String toString() {
        return String.format("%d steps, %d of %d draft tokens accepted (%.1f%%), %.2f accepted per step", steps, accepted,
                drafted, 100 * acceptanceRate(), meanAccepted());
    }
}
