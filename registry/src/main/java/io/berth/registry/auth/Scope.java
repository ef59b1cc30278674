package io.berth.registry.auth;

import io.berth.registry.RepositoryName;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A resource scope, {@code repository:<name>:<action>[,<action>…]} (the Docker token scope grammar that
 * registries and clients share), or the catalog scope {@code registry:catalog:*}.
 */
public record Scope(String type, String name, Set<Action> actions) {
    public static final String REPOSITORY = "repository";
    public static final String REGISTRY = "registry";
    public static final Scope CATALOG = new Scope(REGISTRY, "catalog", EnumSet.of(Action.PULL));

    public Scope {
        actions = actions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(actions));
    }

    public static Scope repository(RepositoryName name, Action action) {
        return new Scope(REPOSITORY, name.value(), EnumSet.of(action));
    }

    /** Parses one scope; empty when it is malformed or names nothing we know. */
    public static Optional<Scope> parse(String s) {
        int first = s.indexOf(':');
        int last = s.lastIndexOf(':');
        if (first <= 0 || last == first) {
            return Optional.empty();
        }
        String type = s.substring(0, first);
        String name = s.substring(first + 1, last);
        Set<Action> actions = EnumSet.noneOf(Action.class);
        for (String a : s.substring(last + 1).split(",")) {
            if (a.equals("*")) {
                actions.addAll(EnumSet.allOf(Action.class));
            } else {
                Action.parse(a).ifPresent(actions::add);
            }
        }
        if (type.equals(REGISTRY) && name.equals("catalog")) {
            return Optional.of(CATALOG);
        }
        if (!type.equals(REPOSITORY) || actions.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Scope(type, RepositoryName.of(name).value(), actions));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Several scopes from space-separated or repeated {@code scope} parameters. */
    public static List<Scope> parseAll(List<String> params) {
        List<Scope> out = new ArrayList<>();
        for (String p : params) {
            for (String s : p.trim().split(" +")) {
                if (!s.isEmpty()) {
                    parse(s).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    public boolean covers(Scope wanted) {
        return type.equals(wanted.type) && name.equals(wanted.name) && actions.containsAll(wanted.actions);
    }

    @Override
    public String toString() {
        if (type.equals(REGISTRY)) {
            return type + ":" + name + ":*";
        }
        return type + ":" + name + ":" + String.join(",", actions.stream().sorted().map(Action::scopeName).toList());
    }
}
