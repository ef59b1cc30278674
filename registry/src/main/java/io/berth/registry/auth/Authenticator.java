package io.berth.registry.auth;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who may do what. Policy: a user in the htpasswd file may do everything; anyone else may pull when
 * {@code anonymousPull} is on, and nothing otherwise. Three modes:
 * <ul>
 *   <li>{@link Mode#NONE}: no authentication (the default, for 127.0.0.1);
 *   <li>{@link Mode#BASIC}: {@code Authorization: Basic} checked against htpasswd on every request;
 *   <li>{@link Mode#TOKEN}: {@code Authorization: Bearer <jwt>} from the built-in token endpoint, whose
 *       scopes must cover the request; the 401 challenge names the realm, service and scope.
 * </ul>
 */
public final class Authenticator {
    public enum Mode { NONE, BASIC, TOKEN }

    /** The path of the built-in token endpoint. */
    public static final String TOKEN_PATH = "/token";
    private static final String BASIC_REALM = "Basic realm=\"berth-registry\"";

    private final Mode mode;
    private final Optional<Htpasswd> users;
    private final boolean anonymousPull;
    private final Optional<Tokens> tokens;

    private Authenticator(Mode mode, Optional<Htpasswd> users, boolean anonymousPull, Optional<Tokens> tokens) {
        this.mode = mode;
        this.users = users;
        this.anonymousPull = anonymousPull;
        this.tokens = tokens;
    }

    public static Authenticator none() {
        return new Authenticator(Mode.NONE, Optional.empty(), true, Optional.empty());
    }

    public static Authenticator basic(Htpasswd users, boolean anonymousPull) {
        return new Authenticator(Mode.BASIC, Optional.of(users), anonymousPull, Optional.empty());
    }

    public static Authenticator token(Htpasswd users, boolean anonymousPull, Tokens tokens) {
        return new Authenticator(Mode.TOKEN, Optional.of(users), anonymousPull, Optional.of(tokens));
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Allows a request that needs {@code needed} (empty: any authenticated client, as for {@code GET /v2/}),
     * or throws {@link AuthException}. {@code realm} is the token endpoint's absolute URL. Returns the
     * authenticated user (the htpasswd user, or the token's subject); empty for anonymous clients and
     * when authentication is off.
     */
    public Optional<String> authorize(Optional<String> authorization, List<Scope> needed, String realm) {
        switch (mode) {
            case NONE -> {
                return Optional.empty();
            }
            case BASIC -> {
                Optional<String> user = basicUser(authorization);
                if (user.isPresent() || anonymousAllowed(needed)) {
                    return user;
                }
                throw AuthException.unauthorized(BASIC_REALM, authorization.isPresent()
                        ? "invalid user name or password" : "authentication required");
            }
            case TOKEN -> {
                Optional<Tokens.Verified> verified = authorization.filter(a -> a.regionMatches(true, 0, "Bearer ", 0, 7))
                        .flatMap(a -> tokens.orElseThrow().verify(a.substring(7).trim()));
                Optional<List<Scope>> granted = verified.map(Tokens.Verified::scopes);
                if (granted.isPresent() && needed.stream().allMatch(n -> granted.get().stream().anyMatch(g -> g.covers(n)))) {
                    return verified.get().subject();
                }
                StringBuilder c = new StringBuilder("Bearer realm=\"" + realm + "\",service=\"" + tokens.orElseThrow().service() + "\"");
                if (!needed.isEmpty()) {
                    c.append(",scope=\"").append(String.join(" ", needed.stream().map(Scope::toString).toList())).append('"');
                }
                if (granted.isPresent()) {
                    c.append(",error=\"insufficient_scope\"");
                }
                throw AuthException.unauthorized(c.toString(), granted.isPresent()
                        ? "token does not grant " + needed : "a bearer token is required");
            }
            default -> throw new IllegalStateException("auth mode " + mode);
        }
    }

    /** Whether this client may use {@code scope} (soft check for cross-repository mounts). */
    public boolean allows(Optional<String> authorization, Scope scope, String realm) {
        try {
            authorize(authorization, List.of(scope), realm);
            return true;
        } catch (AuthException e) {
            return false;
        }
    }

    /**
     * The token endpoint: checks Basic credentials if given (wrong ones are 401), then grants of the
     * requested scopes what the policy allows. Returns the JSON body.
     */
    public TokenGrant grant(Optional<String> authorization, List<Scope> requested) {
        Tokens t = tokens.orElseThrow(() -> new IllegalStateException("token endpoint without token mode"));
        Optional<String> user = basicUser(authorization);
        if (authorization.isPresent() && user.isEmpty()) {
            throw AuthException.unauthorized(BASIC_REALM, "invalid user name or password");
        }
        List<Scope> granted = new ArrayList<>();
        for (Scope s : requested) {
            if (user.isPresent() || anonymousAllowed(List.of(s))) {
                granted.add(s);
            }
        }
        return new TokenGrant(t.issue(user, granted), t.ttl().toSeconds(), user);
    }

    /** A token, its lifetime in seconds, and the user it was issued to (empty: anonymous). */
    public record TokenGrant(String token, long expiresIn, Optional<String> user) {}

    private boolean anonymousAllowed(List<Scope> needed) {
        return anonymousPull && needed.stream().allMatch(s -> s.type().equals(Scope.REPOSITORY)
                && s.actions().equals(Set.of(Action.PULL)));
    }

    private Optional<String> basicUser(Optional<String> authorization) {
        if (authorization.isEmpty() || !authorization.get().regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.get().substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        String user = decoded.substring(0, colon);
        return users.filter(u -> u.check(user, decoded.substring(colon + 1))).map(u -> user);
    }
}
