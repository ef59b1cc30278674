package io.berth.registry;

import static io.berth.registry.TestRegistry.header;
import static io.berth.registry.TestRegistry.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.auth.Authenticator;
import io.berth.registry.auth.Htpasswd;
import io.berth.registry.auth.Tokens;
import io.berth.spec.Digest;
import io.berth.spec.json.JsonCodec;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** htpasswd (bcrypt) Basic auth and bearer tokens from the built-in token endpoint. */
class AuthTest {
    @TempDir
    Path dir;

    private Htpasswd users() throws IOException {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Path f = dir.resolve("htpasswd");
        Files.writeString(f, "alice:" + OpenBSDBCrypt.generate("2y", "secret".toCharArray(), salt, 5) + "\n");
        return Htpasswd.load(f);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void htpasswdRefusesNonBcrypt() throws IOException {
        Path f = Files.writeString(dir.resolve("md5"), "bob:$apr1$abc$def\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Htpasswd.load(f)).hasMessageContaining("bcrypt");
    }

    @Test
    void basicAuth() throws IOException {
        try (TestRegistry reg = new TestRegistry(dir.resolve("r"), Authenticator.basic(users(), true))) {
            HttpResponse<byte[]> none = reg.request("POST", "/v2/app/blobs/uploads/", new byte[0]);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(header(none, "WWW-Authenticate")).isEqualTo("Basic realm=\"berth-registry\"");
            assertThat(text(none)).contains("\"UNAUTHORIZED\"");
            assertThat(reg.request("POST", "/v2/app/blobs/uploads/", new byte[0], "Authorization", basic("alice", "wrong"))
                    .statusCode()).isEqualTo(401);
            HttpResponse<byte[]> started = reg.request("POST", "/v2/app/blobs/uploads/", new byte[0],
                    "Authorization", basic("alice", "secret"));
            assertThat(started.statusCode()).isEqualTo(202);
            // an upload's status is part of the push, not a pull: anonymous pull does not reach it
            assertThat(reg.get(header(started, "Location")).statusCode()).isEqualTo(401);
            assertThat(reg.get(header(started, "Location"), "Authorization", basic("alice", "secret")).statusCode())
                    .isEqualTo(204);
            // an htpasswd user may pull every repository, so a mount without "from" finds the blob anywhere
            // (the conformance suite's "automatic content discovery"); anonymous users cannot push at all
            Digest d = Digest.sha256(new byte[] {4, 5});
            assertThat(reg.request("POST", "/v2/app/blobs/uploads/?digest=" + d, new byte[] {4, 5},
                    "Authorization", basic("alice", "secret")).statusCode()).isEqualTo(201);
            HttpResponse<byte[]> mounted = reg.request("POST", "/v2/other/blobs/uploads/?mount=" + d, new byte[0],
                    "Authorization", basic("alice", "secret"));
            assertThat(mounted.statusCode()).isEqualTo(201);
            assertThat(header(mounted, "Location")).isEqualTo("/v2/other/blobs/" + d);
            assertThat(reg.request("POST", "/v2/third/blobs/uploads/?mount=" + d, new byte[0]).statusCode()).isEqualTo(401);
            // anonymous pull is on: reads need no credentials, but see nothing extra
            assertThat(reg.get("/v2/").statusCode()).isEqualTo(200);
            assertThat(reg.get("/v2/app/manifests/latest").statusCode()).isEqualTo(404);
            assertThat(reg.get("/v2/_catalog").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void aCachedManifestIsNeverServedWithoutAuthorization() throws IOException {
        try (TestRegistry reg = new TestRegistry(dir.resolve("r"), Authenticator.basic(users(), false))) {
            String alice = basic("alice", "secret");
            byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
            Digest c = Digest.sha256(config);
            assertThat(reg.request("POST", "/v2/app/blobs/uploads/?digest=" + c, config, "Authorization", alice)
                    .statusCode()).isEqualTo(201);
            byte[] m = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
                    + "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + c + "\",\"size\":2},"
                    + "\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
            assertThat(reg.request("PUT", "/v2/app/manifests/v1", m, "Content-Type",
                    "application/vnd.oci.image.manifest.v1+json", "Authorization", alice).statusCode()).isEqualTo(201);
            for (int i = 0; i < 3; i++) {
                assertThat(reg.get("/v2/app/manifests/v1", "Authorization", alice).body()).isEqualTo(m);
            }
            assertThat(reg.registry.freshManifest("app", "v1")).as("cached").isNotNull();
            HttpResponse<byte[]> anonymous = reg.get("/v2/app/manifests/v1");
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(text(anonymous)).doesNotContain("schemaVersion");
            assertThat(reg.head("/v2/app/manifests/" + Digest.sha256(m)).statusCode()).isEqualTo(401);
            assertThat(reg.get("/v2/app/manifests/v1", "Authorization", basic("alice", "wrong")).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void bearerTokens() throws IOException {
        Tokens tokens = new Tokens(Tokens.loadOrCreateKey(dir.resolve("key")), "berth-registry", Duration.ofMinutes(5));
        try (TestRegistry reg = new TestRegistry(dir.resolve("r"), Authenticator.token(users(), false, tokens))) {
            String realm = "http://127.0.0.1:" + reg.server.address().getPort() + "/token";
            HttpResponse<byte[]> base = reg.get("/v2/");
            assertThat(base.statusCode()).isEqualTo(401);
            assertThat(header(base, "WWW-Authenticate")).isEqualTo("Bearer realm=\"" + realm + "\",service=\"berth-registry\"");

            HttpResponse<byte[]> push = reg.request("POST", "/v2/app/blobs/uploads/", new byte[0]);
            assertThat(header(push, "WWW-Authenticate")).isEqualTo("Bearer realm=\"" + realm
                    + "\",service=\"berth-registry\",scope=\"repository:app:push\"");

            String pullOnly = token(reg, basic("alice", "secret"), "repository:app:pull");
            HttpResponse<byte[]> denied = reg.request("POST", "/v2/app/blobs/uploads/", new byte[0],
                    "Authorization", "Bearer " + pullOnly);
            assertThat(denied.statusCode()).isEqualTo(401);
            assertThat(header(denied, "WWW-Authenticate")).contains("error=\"insufficient_scope\"");
            assertThat(reg.get("/v2/", "Authorization", "Bearer " + pullOnly).statusCode()).isEqualTo(200);

            String pushPull = token(reg, basic("alice", "secret"), "repository:app:pull,push");
            Digest d = Digest.sha256(new byte[] {1, 2, 3});
            assertThat(reg.request("POST", "/v2/app/blobs/uploads/?digest=" + d, new byte[] {1, 2, 3},
                    "Authorization", "Bearer " + pushPull).statusCode()).isEqualTo(201);
            assertThat(reg.get("/v2/app/blobs/" + d, "Authorization", "Bearer " + pushPull).statusCode()).isEqualTo(200);
            // a token for one repository opens no other
            assertThat(reg.get("/v2/other/blobs/" + d, "Authorization", "Bearer " + pushPull).statusCode()).isEqualTo(401);
            // and a mount from a repository the token cannot pull is an upload, not a mount
            String otherPush = token(reg, basic("alice", "secret"), "repository:other:push");
            assertThat(reg.request("POST", "/v2/other/blobs/uploads/?mount=" + d + "&from=app", new byte[0],
                    "Authorization", "Bearer " + otherPush).statusCode()).isEqualTo(202);

            // anonymous pull is off: an anonymous token grants nothing; wrong credentials get no token
            String anonymous = token(reg, null, "repository:app:pull");
            assertThat(reg.get("/v2/app/blobs/" + d, "Authorization", "Bearer " + anonymous).statusCode()).isEqualTo(401);
            assertThat(reg.get("/token?service=berth-registry&scope=repository:app:pull", "Authorization",
                    basic("alice", "nope")).statusCode()).isEqualTo(401);

            // a tampered token is refused
            String forged = pushPull.substring(0, pushPull.length() - 2) + (pushPull.endsWith("A") ? "BB" : "AA");
            assertThat(reg.get("/v2/app/blobs/" + d, "Authorization", "Bearer " + forged).statusCode()).isEqualTo(401);
        }
    }

    private static String token(TestRegistry reg, String authorization, String scope) {
        String path = "/token?service=berth-registry&scope=" + scope;
        HttpResponse<byte[]> r = authorization == null ? reg.get(path) : reg.get(path, "Authorization", authorization);
        assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
        return JsonCodec.parseObject(r.body(), "token").string("token");
    }

    @Test
    void skopeoPushesAndPullsWithTokenAuth() throws Exception {
        Tokens tokens = new Tokens(Tokens.loadOrCreateKey(dir.resolve("key")), "berth-registry", Duration.ofMinutes(5));
        try (TestRegistry reg = new TestRegistry(dir.resolve("r"), Authenticator.token(users(), false, tokens))) {
            Path src = Files.createDirectories(dir.resolve("src"));
            Digest m = OciLayoutFixture.image(src, "v1", "authenticated\n");
            String ref = "docker://127.0.0.1:" + reg.server.address().getPort() + "/secure/app:v1";
            skopeo("copy", "--dest-tls-verify=false", "--dest-creds", "alice:secret", "oci:" + src + ":v1", ref);
            skopeo("copy", "--src-tls-verify=false", "--src-creds", "alice:secret", ref, "oci:" + dir.resolve("back") + ":v1");
            assertThat(Files.readString(dir.resolve("back/index.json"))).contains(m.toString());
            assertThat(skopeoExit("inspect", "--tls-verify=false", "--creds", "alice:wrong", ref)).isNotZero();
        }
    }

    private static List<String> skopeoCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "--insecure-policy"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static void skopeo(String... args) {
        Peers.run(skopeoCommand(args));
    }

    private static int skopeoExit(String... args) {
        return Peers.exec(skopeoCommand(args)).exit();
    }
}
