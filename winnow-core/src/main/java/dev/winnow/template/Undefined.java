package dev.winnow.template;

/**
 * Jinja's undefined value: renders as the empty string, is falsy, iterates as empty and has
 * length 0; attribute and item access give another undefined. Using it in arithmetic, comparing
 * it by order or calling it is an error naming what was undefined.
 */
final class Undefined {
    /** Why the value is undefined, e.g. {@code 'tools' is undefined}. */
    final String hint;

    Undefined(String hint) {
        this.hint = hint;
    }

    static Undefined name(String name) {
        return new Undefined("'" + name + "' is undefined");
    }

    JinjaError error() {
        return new JinjaError(hint);
    }

    @Override
    public String toString() {
        return "";
    }
}
