package io.berth.client.registry;

import io.berth.client.ClientException;
import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import io.berth.spec.MediaType;
import io.berth.spec.json.Fields;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.JsonException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * A client of one registry's distribution-spec API (distribution-spec spec.md). One HttpClient (one
 * connection pool) per registry; bearer tokens per scope obtained through the {@code WWW-Authenticate}
 * challenge and reused; basic credentials when the registry asks for them; GET/HEAD retried with
 * backoff on connection errors, 5xx and 429 ({@code Retry-After} honoured); redirects followed by hand
 * so that credentials never go to another host.
 */
public final class RegistryClient implements AutoCloseable {
    /** What we accept for manifests: every image manifest and index type we understand. */
    static final String MANIFEST_ACCEPT = String.join(", ", MediaType.Known.OCI_MANIFEST.value(),
            MediaType.Known.OCI_INDEX.value(), MediaType.Known.DOCKER_MANIFEST.value(),
            MediaType.Known.DOCKER_MANIFEST_LIST.value());
    static final long MAX_MANIFEST = 4L << 20;
    static final int ATTEMPTS = 5;

    static {
        // The JDK client reads responses in 16 KiB buffers by default; 256 KiB cut a 315 MB pull from
        // 2.10 s to 1.58 s here (docs/benchmarks.md). Read once, when the client class initialises.
        if (System.getProperty("jdk.httpclient.bufsize") == null) {
            System.setProperty("jdk.httpclient.bufsize", String.valueOf(256 * 1024));
        }
    }

    /** How to reach the registry. */
    public record Options(boolean plainHttp, Optional<Credentials.Basic> credentials, Duration timeout) {
        public static Options defaults(String host) {
            return new Options(isLoopback(host), Credentials.lookup(host, Credentials.files(System.getenv())),
                    Duration.ofSeconds(60));
        }

        public Options withPlainHttp(boolean p) {
            return new Options(p, credentials, timeout);
        }
    }

    private final String host;
    private final String base;
    private final Options options;
    private volatile HttpClient jdk;
    private final Map<String, String> authByScope = new ConcurrentHashMap<>();
    private volatile boolean basicRequested;

    public RegistryClient(String host, Options options) {
        this.host = host;
        this.options = options;
        this.base = (options.plainHttp() ? "http://" : "https://") + host;
        OPEN.add(this);
    }

    /**
     * Plain-HTTP requests go through {@link PlainHttp} ({@code -Dberth.http.plain=false} sends them through
     * the JDK client too, for comparison).
     */
    static final boolean PLAIN = !"false".equals(System.getProperty("berth.http.plain"));

    /** The JDK client, made on the first request that needs it (TLS, or plain HTTP with PLAIN off). */
    private HttpClient jdk() {
        HttpClient c = jdk;
        if (c == null) {
            synchronized (this) {
                c = jdk;
                if (c == null) {
                    c = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                            .connectTimeout(Duration.ofSeconds(30)).version(HttpClient.Version.HTTP_1_1)
                            .sslContext(new LazyTls(() -> CertsDir.context(host, CertsDir.roots(System.getenv()))))
                            .sslParameters(LazyTls.PARAMETERS).build();
                    jdk = c;
                }
            }
        }
        return c;
    }

    /** One exchange, its body unread: plain HTTP on a socket of its own, anything else through the JDK client. */
    private HttpResponse<InputStream> exchange(HttpRequest req) throws IOException, InterruptedException {
        if (PLAIN && "http".equals(req.uri().getScheme())) {
            return PlainHttp.send(req, options.timeout());
        }
        return jdk().send(req, HttpResponse.BodyHandlers.ofInputStream());
    }

    /** Clients not closed yet: {@link #closeAll()} ends them before a command exits. */
    private static final java.util.Set<RegistryClient> OPEN = ConcurrentHashMap.newKeySet();

    /**
     * Stops this client's connection pool and its selector thread. A JVM that exits while that thread
     * waits in epoll waits up to 300 ms for it (HotSpot's exit waits for threads in native code): a
     * command that leaves a client open ends ~0.3 s late (docs/benchmarks.md "Pull and push").
     */
    @Override
    public void close() {
        OPEN.remove(this);
        HttpClient http = jdk;
        if (http == null) {
            return;
        }
        http.shutdownNow();
        try {
            http.awaitTermination(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes every client still open (the CLI calls this before it exits). */
    public static void closeAll() {
        for (RegistryClient c : List.copyOf(OPEN)) {
            c.close();
        }
        PlainHttp.closeIdle();
    }

    /** localhost and loopback addresses speak plain HTTP unless told otherwise. */
    public static boolean isLoopback(String host) {
        String h = host.replaceAll(":\\d+$", "");
        return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]");
    }

    public String host() {
        return host;
    }

    /** A fetched manifest or index: its exact bytes, media type and digest. */
    public record Manifested(byte[] bytes, MediaType mediaType, Digest digest) {
        public Descriptor descriptor() {
            return Descriptor.of(mediaType, digest, bytes.length);
        }
    }

    /**
     * {@code GET /v2/} (end-1): the registry implements the spec, and (after answering its challenge)
     * accepts our credentials. Scope-less: a token for "registry:catalog:*" is not needed for this.
     */
    public void ping() {
        HttpResponse<InputStream> r = send("GET", url("/v2/"), "", Map.of(), null, true);
        drainExpect(r, 200, "ping " + host);
    }

    private static String pullScope(String repo) {
        return "repository:" + repo + ":pull";
    }

    private static String pushScope(String repo) {
        return "repository:" + repo + ":pull,push";
    }

    /** {@code GET /v2/<name>/manifests/<reference>} (end-3); empty on 404. */
    public Optional<Manifested> getManifest(String repo, String reference) {
        HttpResponse<InputStream> r = send("GET", url("/v2/" + repo + "/manifests/" + reference), pullScope(repo),
                Map.of("Accept", MANIFEST_ACCEPT), null, true);
        try (InputStream body = r.body()) {
            if (r.statusCode() == 404) {
                return Optional.empty();
            }
            expect(r, body, 200, "get manifest " + repo + ":" + reference);
            byte[] bytes = body.readNBytes((int) MAX_MANIFEST + 1);
            if (bytes.length > MAX_MANIFEST) {
                throw new ClientException("get manifest " + repo + ":" + reference + ": larger than " + MAX_MANIFEST
                        + " bytes");
            }
            Digest actual = Digest.sha256(bytes);
            if (reference.startsWith("sha256:") && !actual.toString().equals(reference)) {
                throw new ClientException("get manifest " + repo + "@" + reference + ": content digest is " + actual);
            }
            String ct = r.headers().firstValue("Content-Type").orElse("").replaceAll(";.*", "").trim();
            MediaType mt = ct.isEmpty() || ct.equals("application/json") ? sniff(bytes) : MediaType.of(ct);
            return Optional.of(new Manifested(bytes, mt, actual));
        } catch (IOException e) {
            throw new UncheckedIOException("get manifest " + repo + ":" + reference + " from " + host, e);
        }
    }

    private static MediaType sniff(byte[] bytes) {
        try {
            Fields f = JsonCodec.parseObject(bytes, "manifest");
            return f.optString("mediaType").map(MediaType::of)
                    .orElse(f.has("manifests") ? MediaType.Known.OCI_INDEX : MediaType.Known.OCI_MANIFEST);
        } catch (JsonException e) {
            throw new ClientException("manifest is not JSON: " + e.getMessage());
        }
    }

    /** {@code PUT /v2/<name>/manifests/<reference>} (end-7). */
    public void putManifest(String repo, String reference, byte[] bytes, MediaType mt) {
        HttpResponse<InputStream> r = send("PUT", url("/v2/" + repo + "/manifests/" + reference), pushScope(repo),
                Map.of("Content-Type", mt.value()), () -> HttpRequest.BodyPublishers.ofByteArray(bytes), false);
        drainExpect(r, 201, "put manifest " + repo + ":" + reference);
    }

    /** {@code HEAD /v2/<name>/blobs/<digest>} (end-2). */
    public boolean hasBlob(String repo, Digest d) {
        HttpResponse<InputStream> r = send("HEAD", url("/v2/" + repo + "/blobs/" + d), pullScope(repo), Map.of(),
                null, true);
        closeQuietly(r);
        if (r.statusCode() == 404) {
            return false;
        }
        if (r.statusCode() == 200) {
            return true;
        }
        throw new ClientException("check blob " + d + " in " + host + "/" + repo + ": HTTP " + r.statusCode(),
                r.statusCode(), null);
    }

    /**
     * {@code GET /v2/<name>/blobs/<digest>} (end-2), resuming with {@code Range} after a broken
     * connection; the stream verifies the size and, when {@code verifyDigest}, the digest at its end.
     * Callers that store the bytes in a verifying store pass false.
     */
    public InputStream getBlob(String repo, Descriptor d, boolean verifyDigest) {
        return new ResumingBlobStream(this, repo, d, verifyDigest);
    }

    /** Opens the blob from {@code offset} (a ranged GET when non-zero). */
    InputStream openBlob(String repo, Digest d, long offset) {
        Map<String, String> h = offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
        int want = offset > 0 ? 206 : 200;
        HttpResponse<InputStream> r = send("GET", url("/v2/" + repo + "/blobs/" + d), pullScope(repo), h, null, true);
        if (r.statusCode() != want) {
            String msg = errorBody(r);
            throw new ClientException("get blob " + d + " from " + host + "/" + repo + ": HTTP " + r.statusCode()
                    + msg, r.statusCode(), null);
        }
        return r.body();
    }

    /** The blob from {@code offset} on, as it comes (a ranged GET; the size is checked by the caller). */
    public InputStream getBlobFrom(String repo, Descriptor d, long offset) {
        return openBlob(repo, d.digest(), offset);
    }

    /**
     * Upload chunk size: a broken connection costs at most one chunk. 32 MiB by default (tunable with
     * {@code -Dberth.upload.chunkBytes=N}); a blob that fits goes in a single PATCH.
     */
    static final long CHUNK = Long.getLong("berth.upload.chunkBytes", 32L << 20);

    /**
     * Pushes a blob (distribution-spec "Pushing a blob in chunks"): {@code POST /v2/<name>/blobs/uploads/}
     * (end-4a), the content in {@code PATCH <location>} chunks with {@code Content-Range} (end-5), then
     * {@code PUT <location>?digest=<digest>} (end-6). If the connection breaks, the upload's status
     * ({@code GET <location>}, end-13, {@code Range: 0-<end>}) gives the offset the registry holds and
     * the upload goes on from there; a registry that lost the session gets a fresh upload.
     */
    public void putBlob(String repo, Descriptor d, LongFunction<InputStream> content) {
        String what = "upload blob " + d.digest() + " to " + host + "/" + repo;
        ClientException last = null;
        for (int session = 1; session <= 3; session++) {
            HttpResponse<InputStream> post = send("POST", url("/v2/" + repo + "/blobs/uploads/"), pushScope(repo),
                    Map.of("Content-Length", "0"), HttpRequest.BodyPublishers::noBody, false);
            String location = location(post, 202, "start " + what);
            long offset = 0;
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                try {
                    while (offset < d.size()) {
                        long end = Math.min(d.size(), offset + CHUNK);
                        location = patch(repo, location, content, offset, end, what);
                        offset = end;
                    }
                    String sep = location.contains("?") ? "&" : "?";
                    HttpResponse<InputStream> put = send("PUT", resolve(location + sep + "digest="
                            + URLEncoder.encode(d.digest().toString(), StandardCharsets.UTF_8)), pushScope(repo),
                            Map.of("Content-Length", "0"), HttpRequest.BodyPublishers::noBody, false);
                    drainExpect(put, 201, what);
                    return;
                } catch (UncheckedIOException e) {
                    last = new ClientException(what + ": " + e.getCause().getMessage(), e);
                    sleep(backoff(attempt, Optional.empty()));
                    Optional<Long> held = uploadOffset(repo, location);
                    if (held.isEmpty()) {
                        break; // the session is gone: start a new one
                    }
                    offset = held.get();
                }
            }
        }
        throw last;
    }

    /** One PATCH of bytes [offset, end) with its Content-Range; returns the next location. */
    private String patch(String repo, String location, LongFunction<InputStream> content, long offset, long end,
            String what) {
        Map<String, String> h = Map.of("Content-Type", "application/octet-stream",
                "Content-Range", offset + "-" + (end - 1));
        HttpResponse<InputStream> r = send("PATCH", resolve(location), pushScope(repo), h,
                () -> HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new BoundedInputStream(content.apply(offset), end - offset)), end - offset), false);
        return location(r, 202, what);
    }

    /** At most {@code limit} bytes of a stream; closing closes the stream. */
    private static final class BoundedInputStream extends io.berth.image.io.BulkInputStream {
        private final InputStream in;
        private long left;

        BoundedInputStream(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    /** {@code GET <location>} (end-13): how many bytes the registry holds of an upload; empty when unknown. */
    private Optional<Long> uploadOffset(String repo, String location) {
        try {
            HttpResponse<InputStream> r = send("GET", resolve(location), pushScope(repo), Map.of(), null, true);
            closeQuietly(r);
            if (r.statusCode() != 204) {
                return Optional.empty();
            }
            String range = r.headers().firstValue("Range").orElse("0-0");
            long end = Long.parseLong(range.substring(range.indexOf('-') + 1).trim());
            // "0-0" means nothing (or one byte): distribution reports 0-0 for an empty upload; re-sending
            // one byte too many is refused, so count from the reported end conservatively.
            return Optional.of(end == 0 ? 0 : end + 1);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Cross-repository mount, {@code POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<other>}
     * (end-11): true when the registry answered 201 (mounted), false when it opened an upload instead
     * (which is then cancelled).
     */
    public boolean mountBlob(String repo, Digest d, String from) {
        HttpResponse<InputStream> r = send("POST", url("/v2/" + repo + "/blobs/uploads/?mount=" + d + "&from=" + from),
                pushScope(repo) + " " + pullScope(from), Map.of("Content-Length", "0"),
                HttpRequest.BodyPublishers::noBody, false);
        closeQuietly(r);
        if (r.statusCode() == 201) {
            return true;
        }
        if (r.statusCode() == 202) {
            r.headers().firstValue("Location").ifPresent(loc -> closeQuietly(send("DELETE", resolve(loc),
                    pushScope(repo), Map.of(), null, false)));
        }
        return false;
    }

    /** {@code GET /v2/<name>/tags/list} (end-8a), following {@code Link} pages. */
    public List<String> tags(String repo) {
        List<String> out = new ArrayList<>();
        URI next = url("/v2/" + repo + "/tags/list");
        for (int page = 0; page < 10_000 && next != null; page++) {
            HttpResponse<InputStream> r = send("GET", next, pullScope(repo), Map.of(), null, true);
            try (InputStream body = r.body()) {
                expect(r, body, 200, "list tags of " + host + "/" + repo);
                Fields f = JsonCodec.parseObject(body.readNBytes(16 << 20), "tags list");
                out.addAll(f.strings("tags"));
                next = r.headers().firstValue("Link").flatMap(RegistryClient::linkTarget).map(this::resolve)
                        .orElse(null);
            } catch (IOException e) {
                throw new UncheckedIOException("list tags of " + host + "/" + repo, e);
            }
        }
        return out;
    }

    private static Optional<String> linkTarget(String link) {
        int lt = link.indexOf('<');
        int gt = link.indexOf('>');
        return lt >= 0 && gt > lt ? Optional.of(link.substring(lt + 1, gt)) : Optional.empty();
    }

    URI url(String path) {
        return URI.create(base + path);
    }

    URI resolve(String location) {
        return URI.create(base + "/").resolve(location);
    }

    /**
     * Sends a request, answering one auth challenge, retrying any request on 429 and idempotent ones on
     * connection errors and 5xx, and following redirects of GET/HEAD (credentials only to the same host).
     */
    HttpResponse<InputStream> send(String method, URI uri, String scope, Map<String, String> headers,
            Supplier<HttpRequest.BodyPublisher> body, boolean idempotent) {
        boolean challenged = false;
        URI target = uri;
        for (int attempt = 1; ; attempt++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(options.timeout())
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : body.get());
            headers.forEach((k, v) -> {
                if (!k.equalsIgnoreCase("Content-Length")) {
                    b.header(k, v);
                }
            });
            boolean sameHost = target.getAuthority() != null && target.getAuthority().equals(URI.create(base).getAuthority());
            if (sameHost) {
                authHeader(scope).ifPresent(a -> b.header("Authorization", a));
            }
            HttpResponse<InputStream> r;
            try {
                r = exchange(b.build());
            } catch (IOException e) {
                if (idempotent && attempt < ATTEMPTS) {
                    sleep(backoff(attempt, Optional.empty()));
                    continue;
                }
                throw new UncheckedIOException(method + " " + target, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClientException(method + " " + target + ": interrupted", e);
            }
            int s = r.statusCode();
            if (s == 401 && !challenged && sameHost) {
                closeQuietly(r);
                challenged = true;
                answer(r.headers().firstValue("WWW-Authenticate").orElse(""), scope);
                attempt--;
                continue;
            }
            // 429 TOOMANYREQUESTS: the registry did nothing with the request, so any method may be sent again
            // (a body supplier makes the body afresh); a 5xx only for idempotent requests
            if ((s == 429 || (s >= 500 && idempotent)) && attempt < ATTEMPTS) {
                closeQuietly(r);
                sleep(backoff(attempt, r.headers().firstValue("Retry-After")));
                continue;
            }
            if ((s == 301 || s == 302 || s == 303 || s == 307 || s == 308) && (method.equals("GET")
                    || method.equals("HEAD")) && r.headers().firstValue("Location").isPresent() && attempt < 10) {
                closeQuietly(r);
                target = target.resolve(r.headers().firstValue("Location").get());
                continue;
            }
            if (s == 401) {
                String err = errorBody(r);
                throw new ClientException(method + " " + target + ": unauthorized" + err
                        + (options.credentials().isEmpty() ? " (no credentials for " + host + "; berth login " + host + ")" : ""),
                        401, "UNAUTHORIZED");
            }
            return r;
        }
    }

    private Optional<String> authHeader(String scope) {
        String a = authByScope.get(scope);
        if (a != null) {
            return Optional.of(a);
        }
        return basicRequested ? options.credentials().map(Credentials.Basic::header) : Optional.empty();
    }

    /** Answers a challenge: Basic with our credentials, Bearer with a token from the realm. */
    private void answer(String header, String scope) {
        Challenge c = Challenge.parse(header).orElseThrow(() -> new ClientException(
                "registry " + host + " answered 401 without a WWW-Authenticate challenge", 401, "UNAUTHORIZED"));
        switch (c.scheme()) {
            case "basic" -> {
                if (options.credentials().isEmpty()) {
                    throw new ClientException("registry " + host + " wants basic credentials and none are configured"
                            + " (berth login " + host + ")", 401, "UNAUTHORIZED");
                }
                basicRequested = true;
            }
            case "bearer" -> authByScope.put(scope, "Bearer " + token(c, scope));
            default -> throw new ClientException("registry " + host + ": unsupported auth scheme " + c.scheme(), 401,
                    "UNAUTHORIZED");
        }
    }

    /** The token endpoint (docker's token spec): GET realm?service=..&scope=.. → {"token": ...}. */
    private String token(Challenge c, String scope) {
        String realm = c.param("realm").orElseThrow(() -> new ClientException(
                "registry " + host + ": bearer challenge without a realm", 401, "UNAUTHORIZED"));
        StringBuilder q = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?");
        c.param("service").ifPresent(s -> q.append("service=").append(URLEncoder.encode(s, StandardCharsets.UTF_8))
                .append('&'));
        for (String s : scope.isEmpty() ? new String[0] : scope.split(" ")) {
            q.append("scope=").append(URLEncoder.encode(s, StandardCharsets.UTF_8)).append('&');
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(q.substring(0, q.length() - 1)))
                .timeout(options.timeout()).GET();
        options.credentials().ifPresent(cr -> b.header("Authorization", cr.header()));
        try {
            HttpResponse<InputStream> raw = exchange(b.build());
            byte[] body;
            try (InputStream in = raw.body()) {
                body = in.readNBytes(1 << 20);
            }
            if (raw.statusCode() != 200) {
                throw new ClientException("get token from " + realm + " for " + scope + ": HTTP " + raw.statusCode(),
                        raw.statusCode(), raw.statusCode() == 401 ? "UNAUTHORIZED" : "DENIED");
            }
            Fields f = JsonCodec.parseObject(body, "token response");
            return f.optString("token").or(() -> f.optString("access_token"))
                    .orElseThrow(() -> new ClientException("token response from " + realm + " has no token"));
        } catch (IOException e) {
            throw new UncheckedIOException("get token from " + realm, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientException("get token: interrupted", e);
        }
    }

    private static Duration backoff(int attempt, Optional<String> retryAfter) {
        if (retryAfter.isPresent()) {
            try {
                return Duration.ofSeconds(Math.min(10, Long.parseLong(retryAfter.get().trim())));
            } catch (NumberFormatException e) {
                // an HTTP date: fall back to our own backoff
            }
        }
        return Duration.ofMillis(Math.min(5000, 200L << (attempt - 1)));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientException("interrupted", e);
        }
    }

    private String location(HttpResponse<InputStream> r, int want, String what) {
        try (InputStream body = r.body()) {
            expect(r, body, want, what);
            return r.headers().firstValue("Location")
                    .orElseThrow(() -> new ClientException(what + ": no Location header in the answer"));
        } catch (IOException e) {
            throw new UncheckedIOException(what, e);
        }
    }

    private void drainExpect(HttpResponse<InputStream> r, int want, String what) {
        try (InputStream body = r.body()) {
            expect(r, body, want, what);
        } catch (IOException e) {
            throw new UncheckedIOException(what, e);
        }
    }

    /** Fails with the registry's error code and message (distribution-spec "Error Codes") unless {@code want}. */
    private void expect(HttpResponse<InputStream> r, InputStream body, int want, String what) throws IOException {
        if (r.statusCode() == want || (want == 201 && r.statusCode() == 202 && what.startsWith("put manifest"))) {
            return;
        }
        byte[] b = body.readNBytes(64 * 1024);
        String code = null;
        String message = "";
        try {
            Fields f = JsonCodec.parseObject(b, "error");
            List<Fields> errors = f.objects("errors", x -> x);
            if (!errors.isEmpty()) {
                code = errors.getFirst().optString("code").orElse(null);
                message = errors.getFirst().optString("message").orElse("");
            }
        } catch (JsonException | IllegalArgumentException e) {
            // not a spec error body
        }
        throw new ClientException(what + ": HTTP " + r.statusCode() + (code != null ? " " + code : "")
                + (message.isEmpty() ? "" : ": " + message), r.statusCode(), code);
    }

    private static String errorBody(HttpResponse<InputStream> r) {
        try (InputStream body = r.body()) {
            String s = new String(body.readNBytes(512), StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
            return s.isEmpty() ? "" : " (" + s + ")";
        } catch (IOException e) {
            return "";
        }
    }

    private static void closeQuietly(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the connection is dropped instead of reused
        }
    }
}
