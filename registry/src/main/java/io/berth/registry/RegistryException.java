package io.berth.registry;

/**
 * A failed registry operation, carrying the distribution-spec error code. Storage and handlers throw
 * it; the HTTP edge ({@code io.berth.registry.http.ErrorResponses}) is the one place that turns it into
 * a status line and the spec's JSON error body.
 */
public class RegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Where the spec asks for a status other than the code's usual one. */
    public enum Status {
        /** The code's usual status. */
        DEFAULT,
        /** "If a chunk is uploaded out of order, the registry MUST respond with a 416". */
        RANGE_NOT_SATISFIABLE,
        /** "respond to a request to push a manifest over this limit with a response code 413". */
        PAYLOAD_TOO_LARGE,
        /** A malformed request parameter that no error code describes better ("400 Bad Request"). */
        BAD_REQUEST
    }

    private final ErrorCode code;
    private final Status status;

    public RegistryException(ErrorCode code, String message) {
        this(code, Status.DEFAULT, message, null);
    }

    public RegistryException(ErrorCode code, String message, Throwable cause) {
        this(code, Status.DEFAULT, message, cause);
    }

    public RegistryException(ErrorCode code, Status status, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.status = status;
    }

    /** Without a stack trace, for answers that may come by the thousand (429 under a flood). */
    protected RegistryException(ErrorCode code, String message, boolean stackTrace) {
        super(message, null, false, stackTrace);
        this.code = code;
        this.status = Status.DEFAULT;
    }

    public ErrorCode code() {
        return code;
    }

    public Status status() {
        return status;
    }
}
