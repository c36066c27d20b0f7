package dev.winnow.template;

/**
 * An error raised while evaluating, before its position is known; the interpreter turns it into a
 * {@link TemplateException} at the innermost node being evaluated.
 */
final class JinjaError extends RuntimeException {
    final TemplateException.Kind kind;

    JinjaError(String message) {
        this(TemplateException.Kind.RUNTIME, message);
    }

    JinjaError(TemplateException.Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }
}
