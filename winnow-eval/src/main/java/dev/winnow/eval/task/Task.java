package dev.winnow.eval.task;

import dev.winnow.model.Model;
import java.util.List;
import java.util.Map;

/**
 * An evaluation task: what is measured for one compression spec on one model.
 *
 * <p>A task is first {@linkplain #prepare prepared} once per model and seed — it builds its data
 * (texts, haystacks, token sequences) and anything it compares against (the full cache's
 * logits) — and the prepared task then {@linkplain Prepared#run runs} once per spec through a
 * {@link Runner}, which times the model work and measures the cache.
 *
 * <p>Tasks that work on token ids rather than text (synthetic recall, MQAR) extend
 * {@link TokenTask} and only produce {@link TokenProbe}s.
 */
public interface Task {
    /** The task's name in records and reports, e.g. {@code fidelity}, {@code needle}, {@code ruler-multikey}. */
    String name();

    /**
     * The parameters that define the task (lengths, text id, templates, …) in a stable order.
     * They are recorded with every result and are part of a sweep cell's identity: changing one
     * makes new cells rather than reusing old results. Values: strings, numbers, booleans, lists.
     */
    Map<String, Object> params();

    /** The metrics the report plots against compression (the first is the task's main score). */
    List<String> headline();

    /** Builds the task's data and references for a model. */
    Prepared prepare(Model model, long seed);

    /** A task ready to run on one model. */
    interface Prepared {
        /** Runs the task with the runner's spec: metrics and details. */
        TaskResult run(Runner runner);
    }
}
