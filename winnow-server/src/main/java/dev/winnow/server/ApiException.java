package dev.winnow.server;

import dev.winnow.gguf.Printable;

/**
 * A request the server answers with an OpenAI-style error object:
 * {@code {"error": {"message", "type", "param", "code"}}} and an HTTP status.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final int retryAfterSeconds;

    /** Control characters in {@code message} are escaped: it may quote fields of the request. */
    public ApiException(int status, String type, String param, String code, String message, int retryAfterSeconds) {
        super(Printable.message(message));
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400 invalid_request_error about one field. */
    public static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, null, message, 0);
    }

    /** 400 for a field the server does not support (yet). */
    public static ApiException unsupported(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "unsupported_parameter", message, 0);
    }

    /** 429: the server is full; try again after the given seconds. */
    public static ApiException busy(String message, int retryAfterSeconds) {
        return new ApiException(429, "rate_limit_exceeded", null, "server_busy", message, retryAfterSeconds);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
