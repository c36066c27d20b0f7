package dev.winnow.model;

/** A model file that Winnow cannot run: the message names the file and the field or value. */
public class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
