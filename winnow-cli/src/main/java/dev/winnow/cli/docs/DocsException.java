package dev.winnow.cli.docs;

/** A problem with a generated-docs marker or its source file; the message names the file (and line). */
public final class DocsException extends IllegalArgumentException {
    public DocsException(String message) {
        super(message);
    }
}
