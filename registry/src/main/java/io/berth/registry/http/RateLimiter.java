package io.berth.registry.http;

import io.berth.registry.RateLimit;
import io.berth.registry.TooManyRequestsException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Token buckets per client key ({@link RateLimit}). Each bucket holds up to {@code burst} tokens and
 * refills continuously at {@code requestsPerSecond}; a request takes one token or is refused with the
 * time until the next token.
 *
 * <p>Memory stays bounded: a bucket that has refilled completely is indistinguishable from a new one,
 * so such buckets are removed by a sweep that runs at most once per refill period (and at least once a
 * second), and at once when more than {@code maxClients} clients are tracked. If full buckets are not
 * enough to get back under the cap, arbitrary other buckets are dropped (those clients start over with
 * a full bucket: the limiter errs towards letting requests through).
 */
final class RateLimiter {
    private static final long SECOND = 1_000_000_000L;

    private final double tokensPerNano;
    private final double burst;
    private final int maxClients;
    private final long sweepEvery;
    private final LongSupplier clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private volatile long nextSweep;

    RateLimiter(RateLimit limit, LongSupplier nanoClock) {
        if (!limit.enabled()) {
            throw new IllegalArgumentException("rate limit is off");
        }
        this.tokensPerNano = limit.requestsPerSecond() / SECOND;
        this.burst = limit.burst();
        this.maxClients = limit.maxClients();
        this.clock = nanoClock;
        long refill = (long) Math.ceil(burst / tokensPerNano);
        this.sweepEvery = Math.max(SECOND, Math.min(refill, 60 * SECOND));
        this.nextSweep = clock.getAsLong() + sweepEvery;
    }

    /**
     * The key of an anonymous client: its IP address, or for IPv6 its /64 network (one subscriber
     * usually holds a whole /64 and could otherwise switch addresses to get fresh buckets).
     */
    static String addressKey(SocketAddress remote) {
        if (remote instanceof InetSocketAddress a && a.getAddress() != null) {
            InetAddress ip = a.getAddress();
            if (ip instanceof Inet6Address) {
                byte[] b = ip.getAddress();
                java.util.Arrays.fill(b, 8, 16, (byte) 0);
                try {
                    return "addr:" + InetAddress.getByAddress(b).getHostAddress() + "/64";
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException(e); // 16 bytes are always an address
                }
            }
            return "addr:" + ip.getHostAddress();
        }
        return "addr:" + remote;
    }

    /** A limiter for {@code limit}, or null when it is off. */
    static RateLimiter of(RateLimit limit) {
        return limit.enabled() ? new RateLimiter(limit, System::nanoTime) : null;
    }

    /** Takes a token for {@code client}, or throws {@link TooManyRequestsException} with Retry-After. */
    void acquire(String client) {
        long wait = tryAcquire(client);
        if (wait > 0) {
            throw new TooManyRequestsException(Math.max(1, (wait + SECOND - 1) / SECOND));
        }
    }

    /** Takes a token for {@code client}: 0 if it got one, else the nanoseconds until it would. */
    long tryAcquire(String client) {
        long now = clock.getAsLong();
        long wait;
        while (true) {
            Bucket b = buckets.computeIfAbsent(client, k -> new Bucket(burst, now));
            synchronized (b) {
                if (!b.removed) {
                    wait = b.take(now);
                    break;
                }
            }
        }
        if (now - nextSweep >= 0 || buckets.size() > maxClients) {
            sweep(now);
        }
        return wait;
    }

    /** Removes full buckets; then, if still over the cap, others. */
    void sweep(long now) {
        if (!sweeping.compareAndSet(false, true)) {
            return;
        }
        try {
            nextSweep = now + sweepEvery;
            for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator(); it.hasNext(); ) {
                Bucket b = it.next().getValue();
                synchronized (b) {
                    if (b.full(now)) {
                        b.removed = true;
                        it.remove();
                    }
                }
            }
            int target = maxClients - maxClients / 10;
            for (Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator(); buckets.size() > target && it.hasNext(); ) {
                Bucket b = it.next().getValue();
                synchronized (b) {
                    b.removed = true;
                    it.remove();
                }
            }
        } finally {
            sweeping.set(false);
        }
    }

    /** How many clients are tracked now. */
    int clients() {
        return buckets.size();
    }

    private final class Bucket {
        private double tokens;
        private long last;
        private boolean removed;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        long take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) / tokensPerNano));
        }

        private void refill(long now) {
            long elapsed = now - last;
            if (elapsed > 0) {
                tokens = Math.min(burst, tokens + elapsed * tokensPerNano);
                last = now;
            }
        }

        boolean full(long now) {
            refill(now);
            return tokens >= burst;
        }
    }
}
