package dev.winnow.kv.policy;

import java.util.List;
import java.util.function.Function;

/**
 * A policy's entry in the registry: its spec name, a one-line summary, the paper it comes from,
 * its parameters with defaults, and how to build it from parsed parameters.
 */
public record PolicyInfo(String name, String summary, String source, List<Param> params,
                         Function<Params, KvPolicy> factory) {

    /** One parameter: name, default (as written in a spec) and meaning. */
    public record Param(String name, String defaultValue, String description) {
    }

    public static Param param(String name, String defaultValue, String description) {
        return new Param(name, defaultValue, description);
    }

    /** The usual budget parameters. */
    public static List<Param> budgetParams(int defaultBudget) {
        return List.of(
                param("budget", String.valueOf(defaultBudget), "entries kept per KV head"),
                param("ratio", "-", "instead of budget: fraction of entries removed (0.75 keeps 25%)"));
    }
}
