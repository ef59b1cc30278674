package io.berth.client.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.registry.Limits;
import io.berth.registry.Registry;
import io.berth.registry.auth.Authenticator;
import io.berth.registry.http.RegistryServer;
import io.berth.registry.storage.Storage;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lazy TLS context: plain HTTP never builds the real one; HTTPS builds it once and still verifies the
 * certificate chain and the host name (Berth's registry with a self-signed certificate made by openssl).
 */
class LazyTlsTest {
    @TempDir
    Path dir;

    @Test
    void plainHttpNeverMakesTheRealContext() throws Exception {
        AtomicInteger made = new AtomicInteger();
        Registry registry = new Registry(Storage.filesystem(dir.resolve("r")), Limits.DEFAULT);
        try (RegistryServer server = RegistryServer.start(registry, Authenticator.none(), Optional.empty(),
                new InetSocketAddress("127.0.0.1", 0), Optional.empty());
                HttpClient http = client(new LazyTls(() -> {
                    made.incrementAndGet();
                    throw new AssertionError("the real TLS context was made for plain HTTP");
                }))) {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.address().getPort() + "/v2/")).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(r.statusCode()).isEqualTo(200);
        }
        assertThat(made.get()).isZero();
    }

    @Test
    void httpsVerifiesTheChainAndTheHostName() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days",
                "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("openssl: %s", log).isZero();
        SSLContext trusting = trusting(cert);

        AtomicInteger made = new AtomicInteger();
        Registry registry = new Registry(Storage.filesystem(dir.resolve("r")), Limits.DEFAULT);
        try (RegistryServer server = RegistryServer.start(registry, Authenticator.none(),
                Optional.of(new RegistryServer.Tls(cert, key)), new InetSocketAddress("127.0.0.1", 0), Optional.empty());
                HttpClient lazy = client(new LazyTls(() -> {
                    made.incrementAndGet();
                    return trusting;
                }));
                HttpClient defaults = client(LazyTls.ofDefault())) {
            int port = server.address().getPort();
            for (int i = 0; i < 2; i++) {
                HttpResponse<Void> r = lazy.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/v2/"))
                        .build(), HttpResponse.BodyHandlers.discarding());
                assertThat(r.statusCode()).isEqualTo(200);
            }
            assertThat(made.get()).isEqualTo(1);
            // the JDK's trust store does not know the self-signed certificate
            assertThatThrownBy(() -> defaults.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                    + "/v2/")).build(), HttpResponse.BodyHandlers.discarding()))
                    .isInstanceOf(SSLHandshakeException.class);
            // the certificate names 127.0.0.1 only: "localhost" must fail host name verification
            assertThatThrownBy(() -> lazy.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port
                    + "/v2/")).build(), HttpResponse.BodyHandlers.discarding()))
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasStackTraceContaining("localhost");
        }
    }

    private static HttpClient client(SSLContext ctx) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ctx)
                .sslParameters(LazyTls.PARAMETERS).build();
    }

    private static SSLContext trusting(Path cert) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("berth", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
