package io.berth.registry;

/**
 * {@code TOOMANYREQUESTS} (429): the client is over its rate limit. "A 429 Too Many Requests response
 * ... SHOULD include a Retry-After header" (distribution-spec "Error Codes"): {@link #retryAfterSeconds()}.
 */
public final class TooManyRequestsException extends RegistryException {
    private static final long serialVersionUID = 1L;
    private final long retryAfterSeconds;

    public TooManyRequestsException(long retryAfterSeconds) {
        super(ErrorCode.TOOMANYREQUESTS, "rate limit exceeded; retry after " + retryAfterSeconds + " s", false);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** Whole seconds until the client may send a request again (at least 1), for {@code Retry-After}. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
