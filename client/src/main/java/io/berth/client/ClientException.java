package io.berth.client;

import java.util.Optional;

/**
 * A failed pull, push or copy. Carries the registry's error code when the registry sent one
 * (distribution-spec "Error Codes", e.g. {@code MANIFEST_UNKNOWN}) and the HTTP status.
 */
public class ClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;

    public ClientException(String message) {
        this(message, 0, null);
    }

    public ClientException(String message, int status, String code) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public ClientException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.code = null;
    }

    /** The HTTP status, or 0 when the failure was not an HTTP answer. */
    public int status() {
        return status;
    }

    public Optional<String> code() {
        return Optional.ofNullable(code);
    }
}
