package io.imagecache.registry;

import java.util.List;

/**
 * A registry call that failed. {@link #kind()} says how to report it; the message names the URL asked and what
 * to do, and never holds a password or token.
 */
public class RegistryException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** Credentials missing, rejected, or not allowed to pull (401, 403, a token service saying no). */
        UNAUTHORIZED,
        /** The repository, tag or digest does not exist there (404), or no manifest matches the platform. */
        NOT_FOUND,
        /** No HTTP answer: connection refused, unknown host, timeout, TLS failure. */
        UNREACHABLE,
        /** The registry answered but cannot serve now: 429 rate limit or 5xx. Worth retrying later. */
        UNAVAILABLE,
        /** The answer does not follow the Registry HTTP API (bad JSON, wrong digest, unexpected status). */
        PROTOCOL
    }

    private final Kind kind;
    private final String url;
    private final int status;
    private final transient List<RegistryError> errors;

    public RegistryException(Kind kind, String url, int status, List<RegistryError> errors, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.url = url;
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    public RegistryException(Kind kind, String url, String message) {
        this(kind, url, 0, List.of(), message, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The URL asked (no credentials, no query string). */
    public String url() {
        return url;
    }

    /** The HTTP status, or 0 when there was no answer. */
    public int status() {
        return status;
    }

    /** The registry's own error codes, when its answer had an error body. */
    public List<RegistryError> errors() {
        return errors;
    }

    public boolean hasCode(ErrorCode code) {
        return errors.stream().anyMatch(e -> e.code() == code);
    }
}
