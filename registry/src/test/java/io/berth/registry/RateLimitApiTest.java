package io.berth.registry;

import static io.berth.registry.TestRegistry.header;
import static io.berth.registry.TestRegistry.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.auth.Authenticator;
import io.berth.registry.auth.Htpasswd;
import io.berth.spec.json.Fields;
import io.berth.spec.json.JsonCodec;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-client rate limits end to end: 429 TOOMANYREQUESTS with Retry-After ("Error Codes", code-14). */
class RateLimitApiTest {
    @TempDir
    Path dir;

    private static void assertTooManyRequests(HttpResponse<byte[]> r) {
        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(header(r, "Content-Type")).isEqualTo("application/json");
        Fields err = JsonCodec.parseObject(r.body(), "error").objects("errors", x -> x).getFirst();
        assertThat(err.string("code")).isEqualTo("TOOMANYREQUESTS");
        // "A 429 Too Many Requests response ... SHOULD include a Retry-After header" (delay-seconds)
        assertThat(header(r, "Retry-After")).matches("[1-9][0-9]*");
    }

    @Test
    void aBurstBeyondTheLimitIsRefusedUntilTheClientWaits() throws InterruptedException {
        Limits limits = Limits.DEFAULT.withRateLimit(RateLimit.of(2, 4)); // burst 4, then one every 500 ms
        try (TestRegistry reg = new TestRegistry(dir, limits)) {
            byte[] manifest;
            // setup happens before the limiter sees a burst: push, then wait for the bucket to refill
            manifest = reg.pushImage("app", "v1", "layer");
            Thread.sleep(2_100);
            int ok = 0;
            HttpResponse<byte[]> refused = null;
            for (int i = 0; i < 10 && refused == null; i++) {
                HttpResponse<byte[]> r = reg.get("/v2/app/manifests/v1");
                if (r.statusCode() == 200) {
                    assertThat(r.body()).isEqualTo(manifest);
                    ok++;
                } else {
                    refused = r;
                }
            }
            assertThat(refused).as("a request past the burst of 4 is refused").isNotNull();
            assertThat(ok).isBetween(4, 5); // 5 if a token refilled during the burst
            assertTooManyRequests(refused);
            // every kind of request counts and is refused the same way
            assertTooManyRequests(reg.get("/v2/"));
            assertTooManyRequests(reg.get("/v2/nothere/tags/list"));
            assertTooManyRequests(reg.get("/nothing/here"));
            byte[] blob = "refused".getBytes(StandardCharsets.UTF_8);
            assertTooManyRequests(reg.request("POST", "/v2/app/blobs/uploads/?digest=" + io.berth.spec.Digest.sha256(blob),
                    blob, "Content-Type", "application/octet-stream"));
            HttpResponse<byte[]> head = reg.head("/v2/app/manifests/v1");
            assertThat(head.statusCode()).isEqualTo(429);
            assertThat(head.body()).isEmpty();
            assertThat(header(head, "Retry-After")).isNotNull();

            long wait = Long.parseLong(header(refused, "Retry-After"));
            Thread.sleep(wait * 1000);
            HttpResponse<byte[]> again = reg.get("/v2/app/manifests/v1");
            assertThat(again.statusCode()).as("after Retry-After").isEqualTo(200);
            assertThat(again.body()).isEqualTo(manifest);
        }
    }

    @Test
    void noLimitByDefault() {
        try (TestRegistry reg = new TestRegistry(dir)) {
            for (int i = 0; i < 300; i++) {
                assertThat(reg.get("/v2/").statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void authenticatedUsersHaveTheirOwnBucket() throws IOException, InterruptedException {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Path f = dir.resolve("htpasswd");
        Files.writeString(f, "alice:" + OpenBSDBCrypt.generate("2y", "a".toCharArray(), salt, 4) + "\n"
                + "bob:" + OpenBSDBCrypt.generate("2y", "b".toCharArray(), salt, 4) + "\n");
        Limits limits = Limits.DEFAULT.withRateLimit(RateLimit.of(0.2, 2)); // burst 2, then one every 5 s
        try (TestRegistry reg = new TestRegistry(dir.resolve("r"), limits, Authenticator.basic(Htpasswd.load(f), false))) {
            String alice = basic("alice", "a");
            String bob = basic("bob", "b");
            assertThat(reg.get("/v2/", "Authorization", alice).statusCode()).isEqualTo(200);
            assertThat(reg.get("/v2/", "Authorization", alice).statusCode()).isEqualTo(200);
            HttpResponse<byte[]> third = reg.get("/v2/", "Authorization", alice);
            assertTooManyRequests(third);
            assertThat(Long.parseLong(header(third, "Retry-After"))).isBetween(1L, 5L);
            // same address, other user: its own bucket
            assertThat(reg.get("/v2/", "Authorization", bob).statusCode()).isEqualTo(200);
            // anonymous requests are charged to the address, also its own bucket
            assertThat(reg.get("/v2/app/tags/list").statusCode()).isEqualTo(401);
            // a wrong password counts against the address too: 401, then 429
            assertThat(reg.get("/v2/", "Authorization", basic("alice", "wrong")).statusCode()).isEqualTo(401);
            assertTooManyRequests(reg.get("/v2/", "Authorization", basic("alice", "wrong")));
            assertTooManyRequests(reg.get("/v2/app/tags/list"));
            assertThat(reg.get("/v2/", "Authorization", bob).statusCode()).isEqualTo(200);
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void configuredByFlagsAndConfigFile() throws IOException {
        assertThat(RegistryMain.limits(List.of()).rateLimit()).isEqualTo(RateLimit.OFF);
        assertThat(RegistryMain.limits(List.of("--rate-limit", "20")).rateLimit())
                .isEqualTo(new RateLimit(20, 20, RateLimit.DEFAULT_MAX_CLIENTS));
        assertThat(RegistryMain.limits(List.of("--rate-limit", "0.5", "--rate-burst", "3")).rateLimit())
                .isEqualTo(new RateLimit(0.5, 3, RateLimit.DEFAULT_MAX_CLIENTS));
        Path cfg = Files.writeString(dir.resolve("config.json"),
                "{\"rateLimit\":{\"requestsPerSecond\":50,\"burst\":100,\"maxClients\":1000},\"referrersPageSize\":7,"
                + "\"manifestCache\":{\"maxBytes\":0,\"revalidateMillis\":0}}");
        Limits l = RegistryMain.limits(List.of("--config", cfg.toString()));
        assertThat(l.rateLimit()).isEqualTo(new RateLimit(50, 100, 1000));
        assertThat(l.referrersPageSize()).isEqualTo(7);
        // flags win over the file
        assertThat(RegistryMain.limits(List.of("--config", cfg.toString(), "--rate-burst", "5")).rateLimit())
                .isEqualTo(new RateLimit(50, 5, 1000));
        assertThat(RegistryMain.limits(List.of("--config", cfg.toString(), "--rate-limit", "0")).rateLimit().enabled())
                .isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RegistryMain.limits(List.of("--rate-limit", "fast")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--rate-limit");
    }
}
