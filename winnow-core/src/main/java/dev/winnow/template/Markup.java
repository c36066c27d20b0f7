package dev.winnow.template;

/**
 * Jinja's {@code Markup} (what {@code |safe} and {@code |escape} return): a string marked safe.
 * Without autoescaping it renders as-is, but {@code markup + str} and {@code str + markup} escape
 * the plain string (HTML entities), exactly as MarkupSafe does under HF.
 */
final class Markup {
    final String value;

    Markup(String value) {
        this.value = value;
    }

    /** MarkupSafe's escape(): plain values are HTML-escaped, markup is kept. */
    static Markup escape(Object v) {
        if (v instanceof Markup m) return m;
        return new Markup(Filters.escape(Py.str(v)));
    }

    @Override
    public String toString() {
        return value;
    }
}
