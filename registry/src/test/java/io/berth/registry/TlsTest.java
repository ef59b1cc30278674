package io.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.auth.Authenticator;
import io.berth.registry.http.RegistryServer;
import io.berth.registry.storage.Storage;
import io.berth.spec.Digest;
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
import java.util.Random;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with PEM files (a self-signed certificate made with openssl); blobs are sent as chunks. */
class TlsTest {
    @TempDir
    Path dir;

    @Test
    void pushAndPullOverHttps() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Peers.run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1"));

        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("berth", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);

        byte[] blob = new byte[300_000];
        new Random(3).nextBytes(blob);
        Digest d = Digest.sha256(blob);
        Registry registry = new Registry(Storage.filesystem(dir.resolve("r")), Limits.DEFAULT);
        try (RegistryServer server = RegistryServer.start(registry, Authenticator.none(),
                Optional.of(new RegistryServer.Tls(cert, key)), new InetSocketAddress("127.0.0.1", 0), Optional.empty());
                HttpClient http = HttpClient.newBuilder().sslContext(ctx).build()) {
            String base = "https://127.0.0.1:" + server.address().getPort();
            HttpResponse<Void> post = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/tls/blobs/uploads/?digest=" + d))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(blob)).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(post.statusCode()).isEqualTo(201);
            HttpResponse<byte[]> get = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/tls/blobs/" + d)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).isEqualTo(blob);
            HttpResponse<byte[]> range = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/tls/blobs/" + d))
                    .header("Range", "bytes=100-199").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(range.statusCode()).isEqualTo(206);
            assertThat(range.body()).isEqualTo(java.util.Arrays.copyOfRange(blob, 100, 200));
        }
    }
}
