package dev.winnow.template;

import java.util.LinkedHashMap;
import java.util.Map;

/** The object made by {@code namespace(...)}: the only object whose attributes a template may set. */
final class Namespace {
    final Map<String, Object> attrs = new LinkedHashMap<>();
}
