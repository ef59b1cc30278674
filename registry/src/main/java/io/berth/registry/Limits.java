package io.berth.registry;

/**
 * Limits a registry enforces.
 *
 * @param maxManifestBytes "A registry SHOULD enforce some limit on the maximum manifest size ...
 *     Client and registry implementations SHOULD expect to be able to support manifest pushes of at
 *     least 4 megabytes" (distribution-spec "Pushing Manifests"); default 4 MiB
 * @param maxPageSize the largest {@code n} served by tags/list and _catalog in one page
 * @param referrersPageSize the most descriptors in one page of the referrers API (default 1000); a page
 *     is also cut before its index would exceed {@code maxManifestBytes}, so that a client can read it
 *     as a manifest. Further pages are announced with a {@code Link: <…>; rel="next"} header.
 * @param rateLimit the per-client request rate limit (default {@link RateLimit#OFF})
 */
public record Limits(long maxManifestBytes, int maxPageSize, int referrersPageSize, RateLimit rateLimit) {
    public static final int DEFAULT_REFERRERS_PAGE_SIZE = 1000;
    public static final Limits DEFAULT = new Limits(4L * 1024 * 1024, 10_000);

    public Limits {
        if (maxManifestBytes < 1 || maxPageSize < 1 || referrersPageSize < 1) {
            throw new IllegalArgumentException("limits must be positive: " + maxManifestBytes + ", " + maxPageSize
                    + ", " + referrersPageSize);
        }
        if (rateLimit == null) {
            throw new IllegalArgumentException("rate limit missing (RateLimit.OFF for none)");
        }
    }

    /** The manifest and page limits, default referrers page size, no rate limit. */
    public Limits(long maxManifestBytes, int maxPageSize) {
        this(maxManifestBytes, maxPageSize, DEFAULT_REFERRERS_PAGE_SIZE, RateLimit.OFF);
    }

    public Limits withReferrersPageSize(int n) {
        return new Limits(maxManifestBytes, maxPageSize, n, rateLimit);
    }

    public Limits withRateLimit(RateLimit r) {
        return new Limits(maxManifestBytes, maxPageSize, referrersPageSize, r);
    }
}
