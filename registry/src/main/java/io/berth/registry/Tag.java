package io.berth.registry;

import java.util.regex.Pattern;

/**
 * A tag: "{@code <tag-or-digest>} as a tag MUST be at most 128 characters in length and MUST match
 * the following regular expression: {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}" (distribution-spec
 * "Pulling manifests").
 */
public record Tag(String value) implements Comparable<Tag> {
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

    public Tag {
        if (value == null || !TAG.matcher(value).matches()) {
            throw new RegistryException(ErrorCode.MANIFEST_INVALID, "invalid tag \"" + value + "\"");
        }
    }

    public static boolean isValid(String s) {
        return TAG.matcher(s).matches();
    }

    @Override
    public int compareTo(Tag o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
