package io.berth.registry.auth;

import java.util.Locale;
import java.util.Optional;

/** What a request does to a repository, as token scopes name it ({@code repository:<name>:pull,push}). */
public enum Action {
    PULL, PUSH, DELETE;

    public String scopeName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Action> parse(String s) {
        for (Action a : values()) {
            if (a.scopeName().equals(s)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
