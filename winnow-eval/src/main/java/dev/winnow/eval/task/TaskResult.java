package dev.winnow.eval.task;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a task measured for one spec.
 *
 * @param metrics named numbers (the task's scores), in a stable order; only finite values
 * @param details task-specific data for the report (per-segment perplexity, the needle grid,
 *                per-item predictions), JSON-serialisable (maps, lists, strings, numbers)
 */
public record TaskResult(Map<String, Double> metrics, Map<String, Object> details) {
    public TaskResult {
        Map<String, Double> m = new LinkedHashMap<>();
        metrics.forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) m.put(k, v);
        });
        metrics = java.util.Collections.unmodifiableMap(m);
        details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public double metric(String name) {
        Double v = metrics.get(name);
        if (v == null) throw new IllegalArgumentException("no metric '" + name + "'; have " + metrics.keySet());
        return v;
    }
}
