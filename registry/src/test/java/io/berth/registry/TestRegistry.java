package io.berth.registry;

import io.berth.registry.auth.Authenticator;
import io.berth.registry.http.RegistryServer;
import io.berth.registry.storage.Storage;
import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import io.berth.spec.Manifest;
import io.berth.spec.MediaType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A registry server on 127.0.0.1:0 over a temporary directory, and an HTTP client for it. */
final class TestRegistry implements AutoCloseable {
    final Path root;
    final Registry registry;
    final RegistryServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    TestRegistry(Path root) {
        this(root, Limits.DEFAULT);
    }

    TestRegistry(Path root, Limits limits) {
        this(root, limits, Authenticator.none());
    }

    TestRegistry(Path root, Authenticator auth) {
        this(root, Limits.DEFAULT, auth);
    }

    TestRegistry(Path root, Limits limits, Authenticator auth) {
        this(root, new Registry(Storage.filesystem(root), limits), auth);
    }

    TestRegistry(Path root, Registry registry, Authenticator auth) {
        this.root = root;
        this.registry = registry;
        this.server = RegistryServer.start(registry, auth, Optional.empty(), new InetSocketAddress("127.0.0.1", 0),
                Optional.empty());
    }

    String base() {
        return "http://127.0.0.1:" + server.address().getPort();
    }

    URI uri(String pathAndQuery) {
        return URI.create(base() + pathAndQuery);
    }

    HttpResponse<byte[]> send(HttpRequest.Builder b) {
        try {
            return http.send(b.build(), BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<byte[]> get(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    HttpResponse<byte[]> head(String path) {
        return send(HttpRequest.newBuilder(uri(path)).method("HEAD", BodyPublishers.noBody()));
    }

    HttpResponse<byte[]> delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    HttpResponse<byte[]> request(String method, String path, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).method(method, BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    /** Pushes a blob with a single POST; returns its digest. */
    Digest pushBlob(String repo, byte[] content) {
        Digest d = Digest.sha256(content);
        HttpResponse<byte[]> r = request("POST", "/v2/" + repo + "/blobs/uploads/?digest=" + d, content,
                "Content-Type", "application/octet-stream");
        if (r.statusCode() != 201) {
            throw new AssertionError("push blob: " + r.statusCode() + " " + text(r));
        }
        return d;
    }

    /** Pushes config + one layer + manifest under {@code tag}; returns the manifest bytes. */
    byte[] pushImage(String repo, String tag, String layerText) {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"x\":\""
                + layerText + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] layer = layerText.getBytes(StandardCharsets.UTF_8);
        pushBlob(repo, config);
        pushBlob(repo, layer);
        Manifest m = Manifest.oci(Descriptor.forContent(MediaType.Known.OCI_CONFIG, config),
                List.of(Descriptor.forContent(MediaType.Known.OCI_LAYER, layer)), Map.of());
        byte[] bytes = m.toBytes();
        HttpResponse<byte[]> r = request("PUT", "/v2/" + repo + "/manifests/" + tag, bytes,
                "Content-Type", MediaType.Known.OCI_MANIFEST.value());
        if (r.statusCode() != 201) {
            throw new AssertionError("push manifest: " + r.statusCode() + " " + text(r));
        }
        return bytes;
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Override
    public void close() {
        server.close();
        http.close();
    }
}
