package io.berth.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.client.testing.DockerRegistry;
import io.berth.client.transport.ImageName;
import io.berth.registry.Limits;
import io.berth.registry.Registry;
import io.berth.registry.auth.Authenticator;
import io.berth.registry.auth.Htpasswd;
import io.berth.registry.auth.Tokens;
import io.berth.registry.http.RegistryServer;
import io.berth.registry.storage.Storage;
import io.berth.spec.Descriptor;
import io.berth.spec.Index;
import io.berth.spec.Platform;
import io.berth.image.layout.OciLayout;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against Berth's own registry: bearer tokens from its token endpoint (the
 * WWW-Authenticate challenge, scopes, credentials from an auth file), and copies of an image and a
 * multi-platform index between docker-registry and Berth's registry with every digest kept.
 */
class BerthRegistryTest {
    @TempDir
    Path tmp;

    static String htpasswdLine(String user, String password) throws Exception {
        Process p = new ProcessBuilder("htpasswd", "-Bbn", user, password).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).isZero();
        return out;
    }

    @Test
    void bearerTokensFromBerthsTokenEndpoint() throws Exception {
        Path htpasswd = tmp.resolve("htpasswd");
        Files.writeString(htpasswd, htpasswdLine("alice", "s3cret") + "\n");
        Tokens tokens = new Tokens(Tokens.loadOrCreateKey(tmp.resolve("token.key")), "berth-registry",
                Duration.ofMinutes(5));
        try (RegistryServer server = RegistryServer.start(new Registry(Storage.filesystem(tmp.resolve("root")),
                Limits.DEFAULT), Authenticator.token(Htpasswd.load(htpasswd), false, tokens), Optional.empty(),
                new InetSocketAddress("127.0.0.1", 0), Optional.empty())) {
            String host = "127.0.0.1:" + server.address().getPort();
            Descriptor m = CopyInteropTest.image(tmp.resolve("layout"), "v1", Platform.parse("linux/amd64"), "token");
            String remote = "docker://" + host + "/secure/img:v1";
            Copier.Options anonymous = Copier.Options.defaults().withAuthFiles(List.of());
            assertThatThrownBy(() -> Copier.copy(ImageName.parse("oci:" + tmp.resolve("layout") + ":v1"),
                    ImageName.parse(remote), anonymous)).isInstanceOf(ClientException.class)
                    .satisfies(e -> assertThat(((ClientException) e).status()).isEqualTo(401));
            Path auth = tmp.resolve("auth.json");
            Files.writeString(auth, "{\"auths\":{\"" + host + "\":{\"auth\":\""
                    + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8)) + "\"}}}");
            Copier.Options withCreds = anonymous.withAuthFiles(List.of(auth));
            Copier.Result pushed = Copier.copy(ImageName.parse("oci:" + tmp.resolve("layout") + ":v1"),
                    ImageName.parse(remote), withCreds);
            assertThat(pushed.top().digest()).isEqualTo(m.digest());
            Copier.Result pulled = Copier.copy(ImageName.parse(remote),
                    ImageName.parse("oci:" + tmp.resolve("back") + ":v1"), withCreds);
            assertThat(pulled.top().digest()).isEqualTo(m.digest());
        }
    }

    @Test
    void imagesAndIndexesMoveBetweenDockerRegistryAndBerthWithTheirDigests() throws Exception {
        Path l = tmp.resolve("multi");
        Descriptor amd = CopyInteropTest.image(l, "amd", Platform.parse("linux/amd64"), "amd");
        Descriptor arm = CopyInteropTest.image(l, "arm", Platform.parse("linux/arm64/v8"), "arm");
        OciLayout layout = OciLayout.open(l);
        Descriptor idx = layout.putIndex(Index.of(List.of(amd.withPlatform(Optional.of(Platform.parse("linux/amd64"))),
                arm.withPlatform(Optional.of(Platform.parse("linux/arm64/v8"))))));
        layout.tag("multi", idx);
        Copier.Options all = Copier.Options.defaults().withAuthFiles(List.of()).withAll(true);
        try (DockerRegistry distribution = DockerRegistry.start(tmp.resolve("dist"), Optional.empty());
                RegistryServer berth = RegistryServer.start(new Registry(Storage.filesystem(tmp.resolve("berth")),
                        Limits.DEFAULT), new InetSocketAddress("127.0.0.1", 0), Optional.empty())) {
            String d = "docker://" + distribution.host() + "/x/multi:m";
            String b = "docker://127.0.0.1:" + berth.address().getPort() + "/y/multi:m";
            Copier.copy(ImageName.parse("oci:" + l + ":multi"), ImageName.parse(d), all);
            assertThat(Copier.copy(ImageName.parse(d), ImageName.parse(b), all).top().digest()).isEqualTo(idx.digest());
            assertThat(Copier.copy(ImageName.parse(b), ImageName.parse("docker://" + distribution.host() + "/z/back:m"),
                    all).top().digest()).isEqualTo(idx.digest());
            // a single image too, by digest
            String single = "docker://127.0.0.1:" + berth.address().getPort() + "/y/multi@" + amd.digest();
            assertThat(Copier.copy(ImageName.parse(single), ImageName.parse("docker://" + distribution.host()
                    + "/z/single:s"), all.withAll(false)).top().digest()).isEqualTo(amd.digest());
        }
    }
}
