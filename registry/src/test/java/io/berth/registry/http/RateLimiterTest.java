package io.berth.registry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.registry.RateLimit;
import io.berth.registry.TooManyRequestsException;
import org.junit.jupiter.api.Test;

/** Token buckets on a fake clock. */
class RateLimiterTest {
    private static final long MS = 1_000_000L;
    private long now = 1_000_000_000_000L;

    private RateLimiter limiter(double perSecond, int burst, int maxClients) {
        return new RateLimiter(new RateLimit(perSecond, burst, maxClients), () -> now);
    }

    @Test
    void burstThenRefusedUntilATokenRefills() {
        RateLimiter l = limiter(10, 3, 100); // a token every 100 ms
        for (int i = 0; i < 3; i++) {
            assertThat(l.tryAcquire("a")).as("request %d of the burst", i).isZero();
        }
        assertThat(l.tryAcquire("a")).isEqualTo(100 * MS);
        now += 40 * MS;
        assertThat(l.tryAcquire("a")).isEqualTo(60 * MS);
        now += 60 * MS;
        assertThat(l.tryAcquire("a")).isZero();
        assertThat(l.tryAcquire("a")).isEqualTo(100 * MS);
        // idle for long: the bucket is full again, never fuller than the burst
        now += 10_000 * MS;
        for (int i = 0; i < 3; i++) {
            assertThat(l.tryAcquire("a")).isZero();
        }
        assertThat(l.tryAcquire("a")).isPositive();
    }

    @Test
    void clientsHaveTheirOwnBuckets() {
        RateLimiter l = limiter(1, 1, 100);
        assertThat(l.tryAcquire("addr:10.0.0.1")).isZero();
        assertThat(l.tryAcquire("addr:10.0.0.1")).isPositive();
        assertThat(l.tryAcquire("addr:10.0.0.2")).isZero();
        assertThat(l.tryAcquire("user:alice")).isZero();
    }

    @Test
    void acquireThrowsTooManyRequestsWithWholeSecondsToWait() {
        RateLimiter l = limiter(0.25, 1, 100); // a token every 4 s
        l.acquire("a");
        assertThatThrownBy(() -> l.acquire("a")).isInstanceOfSatisfying(TooManyRequestsException.class,
                e -> assertThat(e.retryAfterSeconds()).isEqualTo(4));
        now += 3_500 * MS;
        assertThatThrownBy(() -> l.acquire("a")).isInstanceOfSatisfying(TooManyRequestsException.class,
                e -> assertThat(e.retryAfterSeconds()).isEqualTo(1)); // 0.5 s rounds up, never 0
        RateLimiter fast = limiter(1000, 1, 100);
        fast.acquire("b");
        assertThatThrownBy(() -> fast.acquire("b")).isInstanceOfSatisfying(TooManyRequestsException.class,
                e -> assertThat(e.retryAfterSeconds()).isEqualTo(1));
    }

    @Test
    void idleClientsAreEvicted() {
        RateLimiter l = limiter(10, 5, 1_000_000);
        for (int i = 0; i < 1000; i++) {
            l.tryAcquire("addr:" + i);
        }
        assertThat(l.clients()).isEqualTo(1000);
        // two seconds later (more than the sweep period), one client is busy; the others' buckets are full again
        now += 2_000 * MS;
        for (int i = 0; i < 5; i++) {
            l.tryAcquire("busy");
        }
        assertThat(l.clients()).as("swept once the sweep period passed").isEqualTo(1);
        assertThat(l.tryAcquire("busy")).as("a busy client keeps its (empty) bucket").isPositive();
    }

    @Test
    void theNumberOfTrackedClientsIsCapped() {
        RateLimiter l = limiter(1, 1, 100);
        for (int i = 0; i < 10_000; i++) {
            l.tryAcquire("addr:" + i);
            assertThat(l.clients()).isLessThanOrEqualTo(101);
        }
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new RateLimit(5, 0, 10)).hasMessageContaining("burst");
        assertThatThrownBy(() -> new RateLimit(-1, 1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThat(RateLimit.of(0, 0).enabled()).isFalse();
        assertThat(RateLimiter.of(RateLimit.OFF)).isNull();
    }

    @Test
    void anonymousClientsAreTheirAddressOrTheirIpv6Network() throws Exception {
        assertThat(RateLimiter.addressKey(new java.net.InetSocketAddress(java.net.InetAddress.getByName("10.1.2.3"), 5000)))
                .isEqualTo("addr:10.1.2.3");
        String a = RateLimiter.addressKey(new java.net.InetSocketAddress(
                java.net.InetAddress.getByName("2001:db8:1:2:aaaa::1"), 1));
        String b = RateLimiter.addressKey(new java.net.InetSocketAddress(
                java.net.InetAddress.getByName("2001:db8:1:2:ffff:1:2:3"), 2));
        String c = RateLimiter.addressKey(new java.net.InetSocketAddress(
                java.net.InetAddress.getByName("2001:db8:1:3::1"), 1));
        assertThat(a).isEqualTo(b).isEqualTo("addr:2001:db8:1:2:0:0:0:0/64");
        assertThat(c).isNotEqualTo(a);
    }
}
