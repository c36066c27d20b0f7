package dev.winnow.template;

import java.util.List;

/**
 * The lazy iterator Jinja's {@code map}, {@code select}, {@code selectattr}, {@code unique},
 * {@code items}, ... filters return: always truthy (even when empty) and consumed by the first
 * iteration, as in Python. Where Python would fail ({@code |length}, {@code |tojson} of a
 * generator) it behaves as the list it holds, as llama.cpp does.
 */
final class PyGenerator {
    final String origin;
    private final List<Object> items;
    private boolean consumed;

    PyGenerator(String origin, List<Object> items) {
        this.origin = origin;
        this.items = items;
    }

    /** The remaining items; the generator is exhausted afterwards. */
    List<Object> drain() {
        if (consumed) return List.of();
        consumed = true;
        return items;
    }

    /** The remaining items, without consuming them. */
    List<Object> peek() {
        return consumed ? List.of() : items;
    }
}
