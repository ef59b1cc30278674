package io.berth.spec;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image reference, {@code [registry/]repository[:tag][@digest]}, in the grammar registries and
 * clients share (distribution-spec "pulling manifests": {@code <name>} is
 * {@code [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*} and a tag is
 * {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}), with the usual Docker defaults: no registry means
 * {@code docker.io}, a one-component repository there means {@code library/<name>}, and no tag and no
 * digest means {@code latest}.
 *
 * <p>The first component is a registry when it contains a {@code .} or a {@code :}, or is
 * {@code localhost}.
 */
public record Reference(String registry, String repository, Optional<String> tag, Optional<Digest> digest) {
    public static final String DOCKER_HUB = "docker.io";
    public static final String DEFAULT_TAG = "latest";
    /** Longest repository name (distribution's limit, for the whole name). */
    public static final int MAX_NAME = 255;

    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final Pattern HOST = Pattern.compile(
            "(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*"
                    + "|\\[[0-9A-Fa-f:.]+\\]");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

    public Reference {
        if (!isValidRegistry(registry)) {
            throw new IllegalArgumentException("invalid registry \"" + registry + "\"");
        }
        if (!isValidRepository(repository)) {
            throw new IllegalArgumentException("invalid repository name \"" + repository + "\"");
        }
        if (tag.isPresent() && !TAG.matcher(tag.get()).matches()) {
            throw new IllegalArgumentException("invalid tag \"" + tag.get() + "\"");
        }
    }

    /** Parses a reference; errors name the input and what is wrong with it. */
    public static Reference parse(String s) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException("invalid reference: empty");
        }
        String rest = s;
        Optional<Digest> digest = Optional.empty();
        int at = rest.indexOf('@');
        if (at >= 0) {
            try {
                digest = Optional.of(Digest.parse(rest.substring(at + 1)));
            } catch (InvalidDigestException e) {
                throw new IllegalArgumentException("invalid reference \"" + s + "\": " + e.getMessage());
            }
            rest = rest.substring(0, at);
        }
        Optional<String> tag = Optional.empty();
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = Optional.of(rest.substring(colon + 1));
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag.get()).matches()) {
                throw new IllegalArgumentException("invalid reference \"" + s + "\": invalid tag \"" + tag.get()
                        + "\" (letters, digits, _ . -; at most 128; not starting with . or -)");
            }
        }
        String registry = DOCKER_HUB;
        String repo = rest;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first;
                repo = rest.substring(slash + 1);
            }
        }
        if (!isValidRegistry(registry)) {
            throw new IllegalArgumentException("invalid reference \"" + s + "\": invalid registry \"" + registry + "\"");
        }
        if (registry.equals(DOCKER_HUB) && !repo.contains("/")) {
            repo = "library/" + repo;
        }
        if (!isValidRepository(repo)) {
            throw new IllegalArgumentException("invalid reference \"" + s + "\": invalid repository name \"" + repo
                    + "\" (lowercase letters, digits and separators . _ __ -, components separated by /)");
        }
        if (tag.isEmpty() && digest.isEmpty()) {
            tag = Optional.of(DEFAULT_TAG);
        }
        return new Reference(registry, repo, tag, digest);
    }

    /** Whether a repository name follows the distribution-spec grammar. */
    public static boolean isValidRepository(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME) {
            return false;
        }
        for (String c : name.split("/", -1)) {
            if (!COMPONENT.matcher(c).matches()) {
                return false;
            }
        }
        return true;
    }

    private static boolean isValidRegistry(String r) {
        if (r == null || r.isEmpty()) {
            return false;
        }
        String host = r;
        int colon = r.lastIndexOf(':');
        if (colon > 0 && !r.endsWith("]")) {
            host = r.substring(0, colon);
            String port = r.substring(colon + 1);
            if (!PORT.matcher(port).matches() || Integer.parseInt(port) > 65535) {
                return false;
            }
        }
        return HOST.matcher(host).matches();
    }

    /** The tag or digest part used to fetch a manifest: the digest when present. */
    public String manifestReference() {
        return digest.map(Digest::toString).orElseGet(() -> tag.orElse(DEFAULT_TAG));
    }

    @Override
    public String toString() {
        return registry + "/" + repository + tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
    }
}
