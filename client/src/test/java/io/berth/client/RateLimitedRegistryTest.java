package io.berth.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.client.transport.ImageName;
import io.berth.registry.Limits;
import io.berth.registry.RateLimit;
import io.berth.registry.Registry;
import io.berth.registry.auth.Authenticator;
import io.berth.registry.http.RegistryServer;
import io.berth.registry.storage.Storage;
import io.berth.spec.Descriptor;
import io.berth.spec.Platform;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push and a pull through Berth's registry with a tight rate limit (2 requests/s, burst 2): the server
 * answers 429 TOOMANYREQUESTS with Retry-After, and the client waits and retries every kind of request,
 * uploads included (a 429 means nothing was done), so both copies succeed with their digests.
 */
class RateLimitedRegistryTest {
    @TempDir
    Path tmp;

    @Test
    void pushAndPullWaitOutTooManyRequests() throws Exception {
        Limits limits = Limits.DEFAULT.withRateLimit(RateLimit.of(2, 2));
        try (RegistryServer server = RegistryServer.start(new Registry(Storage.filesystem(tmp.resolve("root")), limits),
                Authenticator.none(), Optional.empty(), new InetSocketAddress("127.0.0.1", 0), Optional.empty())) {
            String host = "127.0.0.1:" + server.address().getPort();
            Descriptor m = CopyInteropTest.image(tmp.resolve("layout"), "v1", Platform.parse("linux/amd64"), "limited");
            Copier.Options opts = Copier.Options.defaults().withAuthFiles(java.util.List.of());
            Copier.Result pushed = Copier.copy(ImageName.parse("oci:" + tmp.resolve("layout") + ":v1"),
                    ImageName.parse("docker://" + host + "/limited/img:v1"), opts);
            assertThat(pushed.top().digest()).isEqualTo(m.digest());
            Copier.Result pulled = Copier.copy(ImageName.parse("docker://" + host + "/limited/img:v1"),
                    ImageName.parse("oci:" + tmp.resolve("back") + ":v1"), opts);
            assertThat(pulled.top().digest()).isEqualTo(m.digest());

            Thread.sleep(1500); // let the bucket refill for the metrics request itself
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + host + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).as("the server did limit the client").containsPattern("code=\"429\"\\} [1-9]");
            assertThat(metrics).as("an upload request was limited and retried")
                    .containsPattern("method=\"(POST|PATCH|PUT)\",code=\"429\"\\} [1-9]");
        }
    }
}
