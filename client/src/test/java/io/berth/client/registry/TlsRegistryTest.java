package io.berth.client.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.registry.Limits;
import io.berth.registry.Registry;
import io.berth.registry.auth.Authenticator;
import io.berth.registry.http.RegistryServer;
import io.berth.registry.storage.Storage;
import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import io.berth.spec.MediaType;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client over HTTPS (the JDK client; PlainHttp is for plain HTTP only) against Berth's registry
 * with a self-signed certificate made by openssl: refused while nothing trusts it, then trusted through a
 * certs.d directory (host:port/ca.crt, as containers/image and docker read them); a blob goes up and comes
 * back byte for byte.
 */
class TlsRegistryTest {
    @TempDir
    Path dir;

    @Test
    void pushesAndPullsOverHttpsWithACaFromCertsD() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days",
                "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("openssl: %s", log).isZero();

        byte[] blob = new byte[700_000];
        new Random(5).nextBytes(blob);
        Descriptor d = Descriptor.of(MediaType.of("application/octet-stream"), Digest.sha256(blob), blob.length);
        Registry registry = new Registry(Storage.filesystem(dir.resolve("r")), Limits.DEFAULT);
        try (RegistryServer server = RegistryServer.start(registry, Authenticator.none(),
                Optional.of(new RegistryServer.Tls(cert, key)), new InetSocketAddress("127.0.0.1", 0), Optional.empty())) {
            String host = "127.0.0.1:" + server.address().getPort();
            RegistryClient.Options https = new RegistryClient.Options(false, Optional.empty(), Duration.ofSeconds(30));
            Path certsD = dir.resolve("certs.d");
            Files.createDirectories(certsD);
            System.setProperty("berth.certsDir", certsD.toString());
            try {
                try (RegistryClient untrusted = new RegistryClient(host, https)) {
                    assertThatThrownBy(untrusted::ping).hasStackTraceContaining("SSLHandshakeException")
                            .hasStackTraceContaining("unable to find valid certification path");
                }
                assertThat(CertsDir.caFiles(host, List.of(certsD))).isEmpty();
                Files.createDirectories(certsD.resolve(host));
                Files.copy(cert, certsD.resolve(host).resolve("ca.crt"));
                try (RegistryClient c = new RegistryClient(host, https)) {
                    c.ping();
                    c.putBlob("tls/app", d, off -> new ByteArrayInputStream(blob, (int) off, blob.length - (int) off));
                    assertThat(c.hasBlob("tls/app", d.digest())).isTrue();
                    try (InputStream in = c.getBlob("tls/app", d, true)) {
                        assertThat(in.readAllBytes()).isEqualTo(blob);
                    }
                }
            } finally {
                System.clearProperty("berth.certsDir");
            }
        }
    }
}
