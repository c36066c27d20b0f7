package dev.winnow.eval.task;

/**
 * How a recall sequence is put to a compressed cache ({@code ../shared/docs/recall-task.md}).
 * Both score the argmax after each query token against its value.
 */
public enum RecallProtocol {
    /**
     * Query-agnostic (kvpress's default): the context (everything before the query region) is
     * prefilled and the policy compresses it, then the query region is teacher-forced token by
     * token with its original positions. The cache is compressed before any question arrives.
     */
    AGNOSTIC("agnostic"),
    /**
     * Query-aware: the whole sequence is prefilled with the questions but not their answers (each
     * answer slot of the query region holds {@link #MASK}) and compressed, then the query region
     * is fed again with its answers (positions continuing after the sequence) and its queries are
     * re-asked. Observation-window scorers see the questions before they compress. The answers are
     * masked because a first asking with answers leaks them: the re-asked query copies its answer
     * from the recent first asking instead of the pairs region (a 128-entry window then scores
     * 96% on the 20 reference sequences instead of 1%).
     */
    AWARE("aware");

    /** What the answer slots of the prefilled query region hold in the query-aware protocol: a filler id (340). */
    public static final int MASK = RecallGenerator.FILLER_MIN;

    private final String id;

    RecallProtocol(String id) {
        this.id = id;
    }

    /** {@code agnostic} or {@code aware}. */
    public String id() {
        return id;
    }

    /** The probe this protocol makes of a sequence. */
    public TokenProbe probe(RecallSequence s) {
        int[] region = s.queryRegion();
        int[] q = s.queryPositions();
        int[] scored = new int[q.length];
        for (int i = 0; i < q.length; i++) scored[i] = q[i] - s.queryStart(); // step i: logits after region[i]
        int[] context = this == AGNOSTIC ? s.context() : s.tokens();
        if (this == AWARE) for (int p : q) context[p + 1] = MASK;
        return new TokenProbe(context, region, scored, s.expected());
    }

    /** By id ({@code agnostic}, {@code aware}); an unknown one is an error listing the valid ones. */
    public static RecallProtocol parse(String id) {
        for (RecallProtocol p : values()) if (p.id.equalsIgnoreCase(id.trim())) return p;
        throw new dev.winnow.eval.EvalException("unknown recall protocol '" + id + "'; valid: agnostic, aware");
    }
}
