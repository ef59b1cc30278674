package io.berth.registry.http;

import io.berth.registry.ErrorCode;
import io.berth.registry.Registry;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import io.berth.registry.auth.Action;
import io.berth.registry.auth.Authenticator;
import io.berth.registry.auth.Scope;
import io.berth.registry.storage.BlobContent;
import io.berth.registry.storage.UploadStore.Upload;
import io.berth.spec.Digest;
import io.berth.spec.MediaType;
import io.berth.spec.json.Json;
import io.berth.spec.json.JsonCodec;
import io.berth.spec.json.ObjBuilder;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Maps distribution-spec's endpoints (the "Endpoints" table, end-1 … end-14) onto {@link Registry}. */
final class Routes {
    /**
     * {@code /v2/<name>/<rest>}. The name is matched greedily and validated afterwards, so a name whose
     * last component is "blobs" or "manifests" still routes (rest never contains a further "/").
     */
    private static final Pattern ROUTE = Pattern.compile(
            "^/v2/(.+)/(blobs/uploads/?|blobs/uploads/([^/]+)|blobs/([^/]+)|manifests/([^/]+)|tags/list|referrers/([^/]+))$");
    private static final Pattern CONTENT_RANGE = Pattern.compile("^([0-9]+)-([0-9]+)$");
    private static final Pattern BYTE_RANGE = Pattern.compile("^bytes=([0-9]*)-([0-9]*)$");
    private static final String INDEX_TYPE = MediaType.Known.OCI_INDEX.value();

    private final Registry registry;
    private final Authenticator auth;
    /** Null when rate limiting is off. */
    private final RateLimiter limiter;

    Routes(Registry registry, Authenticator auth, RateLimiter limiter) {
        this.registry = registry;
        this.auth = auth;
        this.limiter = limiter;
    }

    void handle(Exchange ex) {
        String path = ex.path();
        HttpMethod m = ex.method();
        if (path.equals(Authenticator.TOKEN_PATH) && auth.mode() == Authenticator.Mode.TOKEN) {
            requireMethod(m, HttpMethod.GET);
            token(ex);
            return;
        }
        if (path.equals("/v2/") || path.equals("/v2")) {
            // end-1: GET /v2/ — "If the response is 200 OK, then the registry implements this specification."
            // "This endpoint MAY be used for authentication/authorization purposes"
            requireMethod(m, HttpMethod.GET, HttpMethod.HEAD);
            authorize(ex, List.of());
            ex.sendJson(HttpResponseStatus.OK, Exchange.headers(), "application/json", "{}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (path.equals("/v2/_catalog")) {
            requireMethod(m, HttpMethod.GET);
            authorize(ex, List.of(Scope.CATALOG));
            catalog(ex);
            return;
        }
        Matcher r = ROUTE.matcher(path);
        if (!r.matches()) {
            limit(ex, Optional.empty());
            ex.send(HttpResponseStatus.NOT_FOUND, Exchange.headers(), "not found\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        RepositoryName name = RepositoryName.of(r.group(1));
        String rest = r.group(2);
        // every upload request (status GET and cancel DELETE too) is part of a push
        Action action = rest.startsWith("blobs/uploads") ? Action.PUSH
                : m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD) ? Action.PULL
                : m.equals(HttpMethod.DELETE) ? Action.DELETE : Action.PUSH;
        authorize(ex, List.of(Scope.repository(name, action)));
        if (rest.startsWith("blobs/uploads")) {
            if (r.group(3) == null) {
                requireMethod(m, HttpMethod.POST);
                startUpload(ex, name);
            } else {
                upload(ex, name, r.group(3));
            }
        } else if (r.group(4) != null) {
            blob(ex, name, Registry.digest(r.group(4)));
        } else if (r.group(5) != null) {
            manifest(ex, name, r.group(5));
        } else if (rest.equals("tags/list")) {
            requireMethod(m, HttpMethod.GET);
            tags(ex, name);
        } else {
            requireMethod(m, HttpMethod.GET);
            referrers(ex, name, r.group(6));
        }
    }

    private String realm(Exchange ex) {
        return (ex.secure() ? "https://" : "http://") + ex.header(HttpHeaderNames.HOST).orElse("127.0.0.1") + Authenticator.TOKEN_PATH;
    }

    /**
     * Authenticates and authorises the request, then charges it to its client's rate limit: the
     * authenticated user, or the remote address for anonymous clients and failed authentication (so
     * wrong passwords count against the address). Over the limit, 429 wins over 401.
     */
    private void authorize(Exchange ex, List<Scope> needed) {
        Optional<String> user;
        try {
            user = auth.authorize(ex.header(HttpHeaderNames.AUTHORIZATION), needed, realm(ex));
        } catch (RegistryException e) {
            limit(ex, Optional.empty());
            throw e;
        }
        limit(ex, user);
    }

    /** Takes one request from the client's token bucket, or throws TOOMANYREQUESTS (429 + Retry-After). */
    private void limit(Exchange ex, Optional<String> user) {
        if (limiter != null && !ex.rateCharged) {
            limiter.acquire(user.isPresent() ? "user:" + user.get() : RateLimiter.addressKey(ex.ctx.channel().remoteAddress()));
        }
    }

    /** The built-in token endpoint: {@code GET /token?service=…&scope=repository:<name>:pull,push}. */
    private void token(Exchange ex) {
        Authenticator.TokenGrant g;
        try {
            g = auth.grant(ex.header(HttpHeaderNames.AUTHORIZATION), Scope.parseAll(ex.params("scope")));
        } catch (RegistryException e) {
            limit(ex, Optional.empty());
            throw e;
        }
        limit(ex, g.user());
        Json body = new ObjBuilder()
                .put("token", g.token())
                .put("access_token", g.token())
                .put("expires_in", g.expiresIn())
                .put("issued_at", Instant.now().toString())
                .build();
        ex.sendJson(HttpResponseStatus.OK, Exchange.headers(), "application/json", JsonCodec.write(body));
    }

    private static void requireMethod(HttpMethod m, HttpMethod... allowed) {
        for (HttpMethod a : allowed) {
            if (a.equals(m)) {
                return;
            }
        }
        throw new RegistryException(ErrorCode.UNSUPPORTED, "method " + m + " not allowed here");
    }

    // ------------------------------------------------------------------ blobs (end-2, end-10)

    private void blob(Exchange ex, RepositoryName name, Digest digest) {
        HttpMethod m = ex.method();
        if (m.equals(HttpMethod.DELETE)) {
            // end-10: DELETE /v2/<name>/blobs/<digest> — "Upon success, the registry MUST respond with code 202 Accepted."
            registry.deleteBlob(name, digest);
            ex.send(HttpResponseStatus.ACCEPTED, Exchange.headers());
            return;
        }
        requireMethod(m, HttpMethod.GET, HttpMethod.HEAD);
        // end-2: GET / HEAD /v2/<name>/blobs/<digest>
        BlobContent content = registry.pullBlob(name, digest);
        HttpHeaders h = Exchange.headers();
        // "A successful response MUST contain the digest of the uploaded blob in the header Docker-Content-Digest."
        h.set("Docker-Content-Digest", digest.toString());
        h.set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
        h.set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
        h.set(HttpHeaderNames.ETAG, "\"" + digest + "\"");
        long size = content.size();
        long from = 0;
        long to = size - 1;
        HttpResponseStatus status = HttpResponseStatus.OK;
        Optional<String> range = ex.header(HttpHeaderNames.RANGE);
        if (range.isPresent()) {
            // "A registry SHOULD support the Range request header in accordance with RFC 9110 (section 14)."
            // One range is served; a header we do not understand (several ranges) is ignored, as RFC 9110 allows.
            Matcher rm = BYTE_RANGE.matcher(range.get().trim());
            if (rm.matches() && !(rm.group(1).isEmpty() && rm.group(2).isEmpty())) {
                Optional<ByteRange> br = byteRange(rm, size);
                if (br.isEmpty()) {
                    h.set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
                    ex.send(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE, h);
                    return;
                }
                from = br.get().first();
                to = br.get().last();
                status = HttpResponseStatus.PARTIAL_CONTENT;
                h.set(HttpHeaderNames.CONTENT_RANGE, "bytes " + from + "-" + to + "/" + size);
            }
        }
        switch (content) {
            case BlobContent.LocalFile f -> ex.sendFile(status, h, f, from, Math.max(0, to - from + 1));
        }
    }

    /** Inclusive byte positions. */
    private record ByteRange(long first, long last) {}

    /** RFC 9110 14.1.2 byte-range-spec / suffix-byte-range-spec; empty when unsatisfiable. */
    private static Optional<ByteRange> byteRange(Matcher rm, long size) {
        try {
            if (rm.group(1).isEmpty()) {
                long suffix = Long.parseLong(rm.group(2));
                return suffix == 0 || size == 0 ? Optional.empty()
                        : Optional.of(new ByteRange(Math.max(0, size - suffix), size - 1));
            }
            long first = Long.parseLong(rm.group(1));
            long last = rm.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(rm.group(2)), size - 1);
            return first >= size || last < first ? Optional.empty() : Optional.of(new ByteRange(first, last));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------ uploads (end-4, end-5, end-6, end-11, end-13, end-14)

    private void startUpload(Exchange ex, RepositoryName name) {
        Optional<String> mount = ex.param("mount");
        if (mount.isPresent()) {
            // end-11: POST /v2/<name>/blobs/uploads/?mount=<digest>&from=<other_name>
            Digest d = Registry.digest(mount.get());
            Optional<RepositoryName> from = ex.param("from").filter(s -> !s.isEmpty()).map(RepositoryName::of);
            // A client may only mount what it may pull. Tokens are scoped per repository, so with them "from"
            // is required: knowing a digest must not be enough to read a blob. An htpasswd user may pull every
            // repository (all-or-nothing users), so basic auth allows the automatic mount without "from".
            var credentials = ex.header(HttpHeaderNames.AUTHORIZATION);
            boolean mayMount = auth.mode() == Authenticator.Mode.NONE
                    || from.isPresent() && auth.allows(credentials, Scope.repository(from.get(), Action.PULL), realm(ex))
                    || from.isEmpty() && auth.mode() == Authenticator.Mode.BASIC
                            && auth.allows(credentials, Scope.repository(name, Action.PUSH), realm(ex));
            if (mayMount && registry.mountBlob(name, d, from).isPresent()) {
                // "The response to a successful mount MUST be 201 Created, and MUST contain ... Location: <blob-location>"
                blobCreated(ex, name, d);
                return;
            }
            // "if a registry ... is unable to mount the requested blob, it SHOULD return a 202"
        }
        Optional<String> digest = ex.param("digest");
        if (digest.isPresent()) {
            // end-4b: POST /v2/<name>/blobs/uploads/?digest=<digest> — "Single POST"
            Digest d = Registry.digest(digest.get());
            registry.pushBlobMonolithic(name, d, contentLength(ex), ex.body);
            blobCreated(ex, name, d);
            return;
        }
        // end-4a / end-4c: POST /v2/<name>/blobs/uploads/[?digest-algorithm=<algorithm>]
        Upload u = registry.startUpload(name, ex.param("digest-algorithm"));
        uploadAccepted(ex, u, HttpResponseStatus.ACCEPTED);
    }

    private void upload(Exchange ex, RepositoryName name, String id) {
        HttpMethod m = ex.method();
        if (m.equals(HttpMethod.GET)) {
            // end-13: GET <blob-push-location> — "MUST be a 204 No Content response code"
            uploadAccepted(ex, registry.uploadStatus(name, id), HttpResponseStatus.NO_CONTENT);
        } else if (m.equals(HttpMethod.PATCH)) {
            // end-5: PATCH <blob-push-location> with Content-Range — "MUST be 202 Accepted"
            Upload u = registry.uploadChunk(name, id, rangeStart(ex), contentLength(ex), ex.body);
            uploadAccepted(ex, u, HttpResponseStatus.ACCEPTED);
        } else if (m.equals(HttpMethod.PUT)) {
            // end-6: PUT <blob-push-location>?digest=<digest> — "The closing PUT request MUST include the <digest>"
            Digest d = Registry.digest(ex.param("digest").orElseThrow(() -> new RegistryException(
                    ErrorCode.DIGEST_INVALID, "closing PUT of upload " + id + " needs ?digest=")));
            registry.completeUpload(name, id, d, rangeStart(ex), contentLength(ex), ex.body);
            blobCreated(ex, name, d);
        } else if (m.equals(HttpMethod.DELETE)) {
            // end-14: DELETE <blob-push-location> — "the response SHOULD be a 204 No Content"
            registry.cancelUpload(name, id);
            ex.send(HttpResponseStatus.NO_CONTENT, Exchange.headers());
        } else {
            requireMethod(m, HttpMethod.GET, HttpMethod.PATCH, HttpMethod.PUT, HttpMethod.DELETE);
        }
    }

    private static void blobCreated(Exchange ex, RepositoryName name, Digest d) {
        HttpHeaders h = Exchange.headers();
        h.set(HttpHeaderNames.LOCATION, "/v2/" + name + "/blobs/" + d);
        h.set("Docker-Content-Digest", d.toString());
        ex.send(HttpResponseStatus.CREATED, h);
    }

    private static void uploadAccepted(Exchange ex, Upload u, HttpResponseStatus status) {
        HttpHeaders h = Exchange.headers();
        // "Location: <blob-push-location>" and "Range: 0-<end-of-range>"
        h.set(HttpHeaderNames.LOCATION, "/v2/" + u.repository() + "/blobs/uploads/" + u.id());
        h.set(HttpHeaderNames.RANGE, "0-" + Math.max(0, u.offset() - 1));
        h.set("Docker-Upload-UUID", u.id());
        ex.send(status, h);
    }

    /**
     * The start of {@code Content-Range: <start>-<end>} ("It MUST match the following regular expression:
     * ^[0-9]+-[0-9]+$"); a malformed range, or one whose length disagrees with Content-Length, is 416.
     */
    private static OptionalLong rangeStart(Exchange ex) {
        Optional<String> cr = ex.header(HttpHeaderNames.CONTENT_RANGE);
        if (cr.isEmpty()) {
            return OptionalLong.empty();
        }
        Matcher m = CONTENT_RANGE.matcher(cr.get().trim());
        long start;
        long end;
        try {
            if (!m.matches()) {
                throw new NumberFormatException();
            }
            start = Long.parseLong(m.group(1));
            end = Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
            throw rangeInvalid("malformed Content-Range \"" + cr.get() + "\"");
        }
        OptionalLong len = contentLength(ex);
        if (end < start || (len.isPresent() && len.getAsLong() != end - start + 1)) {
            throw rangeInvalid("Content-Range " + cr.get() + " does not match Content-Length "
                    + (len.isPresent() ? len.getAsLong() : "(none)"));
        }
        return OptionalLong.of(start);
    }

    private static RegistryException rangeInvalid(String message) {
        return new RegistryException(ErrorCode.BLOB_UPLOAD_INVALID, RegistryException.Status.RANGE_NOT_SATISFIABLE,
                message, null);
    }

    private static OptionalLong contentLength(Exchange ex) {
        if (HttpUtil.isTransferEncodingChunked(ex.request)) {
            return OptionalLong.empty();
        }
        long n = HttpUtil.getContentLength(ex.request, -1L);
        return n < 0 ? OptionalLong.empty() : OptionalLong.of(n);
    }

    // ------------------------------------------------------------------ manifests (end-3, end-7, end-9)

    private void manifest(Exchange ex, RepositoryName name, String reference) {
        HttpMethod m = ex.method();
        if (m.equals(HttpMethod.PUT)) {
            // end-7a/7b: PUT /v2/<name>/manifests/<tag-or-digest>[?tag=...]
            Registry.PushedManifest p = registry.pushManifest(name, reference,
                    ex.header(HttpHeaderNames.CONTENT_TYPE), ex.params("tag"), ex.body);
            HttpHeaders h = Exchange.headers();
            h.set(HttpHeaderNames.LOCATION, "/v2/" + name + "/manifests/" + p.digest());
            h.set("Docker-Content-Digest", p.digest().toString());
            // "a registry implementation that supports the referrers API MUST respond with the response
            // header OCI-Subject: <subject digest>"
            p.subject().ifPresent(s -> h.set("OCI-Subject", s.toString()));
            if (!ex.params("tag").isEmpty()) {
                // "MUST include an OCI-Tag response header ... for each accepted tag"
                h.set("OCI-Tag", String.join(", ", ex.params("tag")));
            }
            ex.send(HttpResponseStatus.CREATED, h);
            return;
        }
        if (m.equals(HttpMethod.DELETE)) {
            // end-9: DELETE /v2/<name>/manifests/<tag-or-digest> — "MUST respond with a 202 Accepted code"
            registry.deleteManifest(name, reference);
            ex.send(HttpResponseStatus.ACCEPTED, Exchange.headers());
            return;
        }
        requireMethod(m, HttpMethod.GET, HttpMethod.HEAD);
        // end-3: GET / HEAD /v2/<name>/manifests/<tag-or-digest>
        Registry.StoredManifest sm = registry.pullManifest(name, reference);
        if (!reference.contains(":") && !accepts(ex, sm.mediaType())) {
            throw new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest " + reference + " is "
                    + sm.mediaType() + ", which the Accept header does not allow");
        }
        HttpHeaders h = Exchange.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, sm.mediaType());
        h.set("Docker-Content-Digest", sm.digest().toString());
        h.set(HttpHeaderNames.ETAG, "\"" + sm.digest() + "\"");
        ex.send(HttpResponseStatus.OK, h, sm.bytes());
    }

    /**
     * Content negotiation for a tag: the manifest is served as stored, so a client whose {@code Accept}
     * names types that exclude it gets 404. No Accept header, or a wildcard, accepts anything; a fetch
     * by digest is never refused for its Accept header.
     */
    private static boolean accepts(Exchange ex, String mediaType) {
        return accepts(ex.request.headers(), mediaType);
    }

    /** {@link #accepts(Exchange, String)} on the request's headers; scans without splitting (hot path). */
    static boolean accepts(HttpHeaders headers, String mediaType) {
        List<String> all = headers.getAll(HttpHeaderNames.ACCEPT);
        if (all.isEmpty()) {
            return true;
        }
        for (String header : all) {
            if (header.isEmpty()) {
                return true;
            }
            int start = 0;
            while (start < header.length()) {
                int comma = header.indexOf(',', start);
                if (comma < 0) {
                    comma = header.length();
                }
                int end = header.indexOf(';', start);
                if (end < 0 || end > comma) {
                    end = comma;
                }
                while (start < end && Character.isWhitespace(header.charAt(start))) {
                    start++;
                }
                while (end > start && Character.isWhitespace(header.charAt(end - 1))) {
                    end--;
                }
                if (start == end || is(header, start, end, "*/*") || is(header, start, end, "application/*")
                        || is(header, start, end, mediaType) || is(header, start, end, "application/json")) {
                    return true;
                }
                start = comma + 1;
            }
        }
        return false;
    }

    private static boolean is(String s, int start, int end, String what) {
        return end - start == what.length() && s.regionMatches(true, start, what, 0, what.length());
    }

    // ------------------------------------------------------------------ discovery (end-8, end-12, _catalog)

    private void tags(Exchange ex, RepositoryName name) {
        // end-8a/8b: GET /v2/<name>/tags/list[?n=<integer>&last=<tagname>]
        OptionalInt n = pageSize(ex);
        Registry.Page<String> page = registry.listTags(name, n, ex.param("last"));
        Json body = new ObjBuilder().put("name", name.value()).put("tags", Json.strings(page.items())).build();
        HttpHeaders h = Exchange.headers();
        // "When n is zero, this endpoint MUST return an empty list, and MUST NOT include a Link header."
        if (page.more() && !page.items().isEmpty()) {
            h.set("Link", nextLink("/v2/" + name + "/tags/list", n, page.items().getLast()));
        }
        ex.sendJson(HttpResponseStatus.OK, h, "application/json", JsonCodec.write(body));
    }

    private void catalog(Exchange ex) {
        OptionalInt n = pageSize(ex);
        Registry.Page<String> page = registry.catalog(n, ex.param("last"));
        Json body = new ObjBuilder().put("repositories", Json.strings(page.items())).build();
        HttpHeaders h = Exchange.headers();
        if (page.more() && !page.items().isEmpty()) {
            h.set("Link", nextLink("/v2/_catalog", n, page.items().getLast()));
        }
        ex.sendJson(HttpResponseStatus.OK, h, "application/json", JsonCodec.write(body));
    }

    /** "the Link header MUST be set according to RFC 5988 with the Relation Type rel="next"". */
    private String nextLink(String path, OptionalInt n, String last) {
        List<String> q = new ArrayList<>();
        if (n.isPresent()) {
            q.add("n=" + n.getAsInt());
        }
        q.add("last=" + URLEncoder.encode(last, StandardCharsets.UTF_8));
        return "<" + path + "?" + String.join("&", q) + ">; rel=\"next\"";
    }

    private static OptionalInt pageSize(Exchange ex) {
        Optional<String> n = ex.param("n");
        if (n.isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            int v = Integer.parseInt(n.get());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return OptionalInt.of(v);
        } catch (NumberFormatException e) {
            throw new RegistryException(ErrorCode.UNSUPPORTED, RegistryException.Status.BAD_REQUEST,
                    "n must be a non-negative integer, not \"" + n.get() + "\"", null);
        }
    }

    private void referrers(Exchange ex, RepositoryName name, String digest) {
        // end-12a/12b: GET /v2/<name>/referrers/<digest>[?artifactType=<artifactType>]
        // "If the request is invalid, such as a <digest> with an invalid syntax, a 400 Bad Request MUST be returned."
        Digest d = Registry.digest(digest);
        Optional<String> at = ex.param("artifactType").filter(s -> !s.isEmpty());
        // the continuation of a paged list, as in our Link header (named like tags/list's "last")
        Optional<Digest> last = ex.param("last").map(Registry::digest);
        Registry.ReferrersPage page = registry.referrers(name, d, at, last);
        HttpHeaders h = Exchange.headers();
        // "If filtering is requested and applied, the response MUST include a header OCI-Filters-Applied"
        at.ifPresent(t -> h.set("OCI-Filters-Applied", "artifactType"));
        page.next().ifPresent(n -> {
            // "A Link header MUST be included in the response when the descriptor list cannot be returned
            // in a single manifest ... set according to RFC 5988 with the Relation Type rel="next""
            StringBuilder q = new StringBuilder("</v2/").append(name).append("/referrers/").append(d).append('?');
            at.ifPresent(t -> q.append("artifactType=").append(URLEncoder.encode(t, StandardCharsets.UTF_8)).append('&'));
            q.append("last=").append(n).append(">; rel=\"next\"");
            h.set("Link", q.toString());
        });
        ex.sendJson(HttpResponseStatus.OK, h, INDEX_TYPE, page.index().toBytes());
    }
}
