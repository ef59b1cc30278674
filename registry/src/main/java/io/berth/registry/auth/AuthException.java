package io.berth.registry.auth;

import io.berth.registry.ErrorCode;
import io.berth.registry.RegistryException;

/**
 * {@code UNAUTHORIZED} (401) with the challenge a client needs to authenticate, sent as
 * {@code WWW-Authenticate} (RFC 9110 11.6.1). A token without the needed scope is answered the same way,
 * with {@code error="insufficient_scope"}, so the client can fetch a better one.
 */
public final class AuthException extends RegistryException {
    private static final long serialVersionUID = 1L;
    private final String challenge;

    private AuthException(ErrorCode code, String challenge, String message) {
        super(code, message);
        this.challenge = challenge;
    }

    public static AuthException unauthorized(String challenge, String message) {
        return new AuthException(ErrorCode.UNAUTHORIZED, challenge, message);
    }

    /** The {@code WWW-Authenticate} value. */
    public String challenge() {
        return challenge;
    }
}
