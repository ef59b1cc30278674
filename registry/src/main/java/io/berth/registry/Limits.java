package io.berth.registry;

/**
 * Limits a registry enforces.
 *
 * @param maxManifestBytes "A registry SHOULD enforce some limit on the maximum manifest size ...
 *     Client and registry implementations SHOULD expect to be able to support manifest pushes of at
 *     least 4 megabytes" (distribution-spec "Pushing Manifests"); default 4 MiB
 * @param maxPageSize the largest {@code n} served by tags/list and _catalog in one page
 */
public record Limits(long maxManifestBytes, int maxPageSize) {
    public static final Limits DEFAULT = new Limits(4L * 1024 * 1024, 10_000);

    public Limits {
        if (maxManifestBytes < 1 || maxPageSize < 1) {
            throw new IllegalArgumentException("limits must be positive: " + maxManifestBytes + ", " + maxPageSize);
        }
    }
}
