package dev.winnow.template;

import dev.winnow.gguf.Printable;

/**
 * An error in a Jinja template: a syntax error found while parsing ({@link Kind#SYNTAX}), an
 * error while rendering ({@link Kind#RUNTIME}, e.g. iterating over {@code none}), or an error
 * the template raised itself with {@code raise_exception(msg)} ({@link Kind#RAISED}).
 *
 * <p>{@link #getMessage()} is {@code "line L, column C: reason"} when the position is known, with
 * control characters escaped and the reason cut at {@value #MAX_REASON} characters;
 * {@link #reason()} is the bare message (for {@code raise_exception} exactly the template's text).
 */
public class TemplateException extends RuntimeException {
    /** What went wrong. */
    public enum Kind {
        /** The template source is not valid Jinja (or uses something this engine does not support). */
        SYNTAX,
        /** An error while rendering (type error, undefined value used in arithmetic, ...). */
        RUNTIME,
        /** The template called {@code raise_exception(message)}. */
        RAISED
    }

    private final Kind kind;
    private final String reason;
    private final int line;
    private final int column;

    public TemplateException(Kind kind, String reason, int line, int column) {
        super(format(reason, line, column));
        this.kind = kind;
        this.reason = reason;
        this.line = line;
        this.column = column;
    }

    /** The longest reason shown in {@link #getMessage()} (the template may raise any text). */
    static final int MAX_REASON = 1_000;

    /**
     * The message: control characters of the reason (it may quote the template or its data)
     * escaped, and an overlong reason cut, so it stays one printable line.
     */
    private static String format(String reason, int line, int column) {
        String r = reason == null ? "" : reason;
        if (r.length() > MAX_REASON) r = r.substring(0, MAX_REASON) + "…(" + reason.length() + " chars)";
        r = Printable.escape(r);
        return line > 0 ? "line " + line + ", column " + column + ": " + r : r;
    }

    public Kind kind() {
        return kind;
    }

    /** The message without the position. */
    public String reason() {
        return reason;
    }

    /** 1-based line in the template source, 0 when unknown. */
    public int line() {
        return line;
    }

    /** 1-based column in the template source, 0 when unknown. */
    public int column() {
        return column;
    }
}
