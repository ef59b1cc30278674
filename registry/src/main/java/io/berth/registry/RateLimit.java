package io.berth.registry;

/**
 * A per-client request rate limit: a token bucket of {@code burst} requests refilled at
 * {@code requestsPerSecond}. A client is the authenticated user when the request's credentials verify,
 * otherwise the remote IP address. {@link #OFF} (the default) limits nothing.
 *
 * @param requestsPerSecond the sustained rate; 0 turns limiting off
 * @param burst how many requests a client may send at once after being idle (at least 1 when on)
 * @param maxClients how many clients' buckets are kept at most (memory bound); idle clients whose bucket
 *     is full again are evicted first, and when that is not enough some others are dropped, which gives
 *     them a fresh burst (the limit errs on the lenient side, never on refusing)
 */
public record RateLimit(double requestsPerSecond, int burst, int maxClients) {
    public static final int DEFAULT_MAX_CLIENTS = 100_000;
    public static final RateLimit OFF = new RateLimit(0, 0, DEFAULT_MAX_CLIENTS);

    public RateLimit {
        if (!(requestsPerSecond >= 0) || Double.isInfinite(requestsPerSecond) || burst < 0 || maxClients < 1) {
            throw new IllegalArgumentException("rate limit: requests per second must be >= 0, burst >= 0, max clients >= 1 (got "
                    + requestsPerSecond + ", " + burst + ", " + maxClients + ")");
        }
        if (requestsPerSecond > 0 && burst < 1) {
            throw new IllegalArgumentException("rate limit: burst must be at least 1 when requests per second is set");
        }
    }

    /** {@code requestsPerSecond} with a burst of {@code burst} requests. */
    public static RateLimit of(double requestsPerSecond, int burst) {
        return requestsPerSecond == 0 ? OFF : new RateLimit(requestsPerSecond, burst, DEFAULT_MAX_CLIENTS);
    }

    public boolean enabled() {
        return requestsPerSecond > 0;
    }
}
