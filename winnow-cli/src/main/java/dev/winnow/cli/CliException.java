package dev.winnow.cli;

/** A user error detected by the command line itself (printed as one {@code winnow: …} line, exit code 1). */
final class CliException extends RuntimeException {
    CliException(String message) {
        super(message);
    }

    CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
