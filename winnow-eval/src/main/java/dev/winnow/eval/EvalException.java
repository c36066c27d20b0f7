package dev.winnow.eval;

/**
 * A user error found by the evaluation harness (a malformed data file, an option that does not
 * fit the task, a spec that cannot take a budget, …): the message names the file, line, option
 * or value and says what was expected. It is an {@link IllegalArgumentException}, so the CLI
 * prints it as one line.
 */
public class EvalException extends IllegalArgumentException {
    public EvalException(String message) {
        super(message);
    }

    public EvalException(String message, Throwable cause) {
        super(message, cause);
    }
}
