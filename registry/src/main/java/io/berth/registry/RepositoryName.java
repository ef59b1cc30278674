package io.berth.registry;

import java.util.regex.Pattern;

/**
 * A repository name, {@code <name>} in distribution-spec "Pulling manifests": "Throughout this
 * document, {@code <name>} MUST match the following regular expression:
 * {@code [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*}".
 *
 * <p>No component can start with {@code _}, so the storage layout may use {@code _links},
 * {@code _manifests}, {@code _tags} beside a repository's child repositories without clashes.
 */
public record RepositoryName(String value) implements Comparable<RepositoryName> {
    private static final String COMPONENT = "[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*";
    private static final Pattern NAME = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
    /** 255 minus a typical host:port and the separating slash (the spec's implementers note). */
    public static final int MAX_LENGTH = 255;

    public RepositoryName {
        if (value == null || value.length() > MAX_LENGTH || !NAME.matcher(value).matches()) {
            throw new RegistryException(ErrorCode.NAME_INVALID, "invalid repository name \"" + value + "\"");
        }
    }

    public static RepositoryName of(String value) {
        return new RepositoryName(value);
    }

    @Override
    public int compareTo(RepositoryName o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
