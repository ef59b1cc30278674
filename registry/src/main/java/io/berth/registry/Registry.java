package io.berth.registry;

import io.berth.registry.storage.BlobContent;
import io.berth.registry.storage.Storage;
import io.berth.registry.storage.UploadStore.Upload;
import io.berth.spec.Descriptor;
import io.berth.spec.Digest;
import io.berth.spec.Index;
import io.berth.spec.InvalidDigestException;
import io.berth.spec.Manifest;
import io.berth.spec.MediaType;
import io.berth.spec.json.JsonCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The registry's operations, named after distribution-spec sections, over a {@link Storage}. The HTTP
 * server is a thin layer over this class; every failure is a {@link RegistryException} with the
 * spec's error code.
 */
public final class Registry {
    private final Storage storage;
    private final Limits limits;
    private final ManifestCache cache;

    /** A registry with the default manifest cache (16 MiB, entries re-checked after 100 ms). */
    public Registry(Storage storage, Limits limits) {
        this(storage, limits, ManifestCache.Settings.DEFAULT.maxBytes(), ManifestCache.Settings.DEFAULT.revalidateMillis());
    }

    /**
     * A registry whose manifest cache holds up to {@code cacheBytes} of manifests (0: no cache) and
     * trusts an entry for {@code cacheRevalidateMillis} before checking storage again (see
     * {@link ManifestCache}: how late a change made by another process over the same root is seen).
     */
    public Registry(Storage storage, Limits limits, long cacheBytes, long cacheRevalidateMillis) {
        this.storage = storage;
        this.limits = limits;
        this.cache = new ManifestCache(new ManifestCache.Settings(cacheBytes, cacheRevalidateMillis), System::nanoTime);
    }

    public Storage storage() {
        return storage;
    }

    public Limits limits() {
        return limits;
    }

    /** Parses a digest from a request, failing with {@code DIGEST_INVALID} (400). */
    public static Digest digest(String s) {
        try {
            return Digest.parse(s);
        } catch (InvalidDigestException e) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- Pull: "Pulling blobs"

    /** The content of a blob the repository may serve; {@code BLOB_UNKNOWN} otherwise. */
    public BlobContent pullBlob(RepositoryName repo, Digest digest) {
        if (!storage.links().isLinked(repo, digest)) {
            throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " unknown in repository " + repo);
        }
        return storage.blobs().open(digest).orElseThrow(() -> new RegistryException(ErrorCode.BLOB_UNKNOWN,
                "blob " + digest + " unknown in repository " + repo));
    }

    // ---------------------------------------------------------------- Content Management: "Deleting Blobs"

    /** Unlinks a blob from the repository (its bytes go when GC finds nothing else using them). */
    public void deleteBlob(RepositoryName repo, Digest digest) {
        if (!storage.links().unlink(repo, digest)) {
            throw new RegistryException(ErrorCode.BLOB_UNKNOWN, "blob " + digest + " unknown in repository " + repo);
        }
    }

    // ---------------------------------------------------------------- Push: blobs

    /** "Obtain a session id (upload URL)": end-4a, with end-4c's {@code digest-algorithm}. */
    public Upload startUpload(RepositoryName repo, Optional<String> algorithm) {
        String alg = algorithm.orElse(Digest.SHA256);
        if (!alg.equals(Digest.SHA256) && !alg.equals(Digest.SHA512)) {
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "unsupported digest algorithm \"" + alg + "\"");
        }
        return storage.uploads().start(repo, alg);
    }

    /** "To upload a chunk, issue a PATCH request" (end-5). */
    public Upload uploadChunk(RepositoryName repo, String id, OptionalLong start, OptionalLong length, InputStream body) {
        return storage.uploads().append(repo, id, start, length, body);
    }

    /** "get the current status": end-13. */
    public Upload uploadStatus(RepositoryName repo, String id) {
        return storage.uploads().get(repo, id).orElseThrow(() -> new RegistryException(
                ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload " + id + " unknown in repository " + repo));
    }

    /**
     * "To close the session, issue a PUT request" (end-6): appends the optional final chunk, verifies the
     * whole blob against {@code digest}, stores it once and links it into the repository.
     */
    public long completeUpload(RepositoryName repo, String id, Digest digest, OptionalLong start,
            OptionalLong length, InputStream finalChunk) {
        requireComputable(digest);
        storage.uploads().append(repo, id, start, length, finalChunk);
        long size = storage.uploads().finish(repo, id, digest);
        storage.links().link(repo, digest);
        return size;
    }

    /** "Single POST" (end-4b): the whole blob in the POST body. */
    public long pushBlobMonolithic(RepositoryName repo, Digest digest, OptionalLong length, InputStream body) {
        requireComputable(digest);
        Upload u = storage.uploads().start(repo, digest.algorithm());
        try {
            return completeUpload(repo, u.id(), digest, OptionalLong.empty(), length, body);
        } catch (RuntimeException e) {
            storage.uploads().cancel(repo, u.id());
            throw e;
        }
    }

    private static void requireComputable(Digest digest) {
        if (!digest.isComputable()) {
            // "if the client provided digest is invalid or uses an unsupported algorithm, the registry
            // SHOULD respond with a response code 400 Bad Request"
            throw new RegistryException(ErrorCode.DIGEST_INVALID, "unsupported digest algorithm in " + digest);
        }
    }

    /** "Cancel a blob upload": end-14. */
    public void cancelUpload(RepositoryName repo, String id) {
        if (!storage.uploads().cancel(repo, id)) {
            throw new RegistryException(ErrorCode.BLOB_UPLOAD_UNKNOWN, "upload " + id + " unknown in repository " + repo);
        }
    }

    /**
     * "Mounting a blob from another repository" (end-11): links the blob when {@code from} may serve it,
     * or, without {@code from}, when the registry stores it at all ("The registry MAY treat the from
     * parameter as optional, and it MAY cross-mount the blob if it can be found"). Returns the size, or
     * empty when the blob cannot be mounted and the caller should start an upload instead.
     */
    public Optional<Long> mountBlob(RepositoryName repo, Digest digest, Optional<RepositoryName> from) {
        if (from.isPresent() && !storage.links().isLinked(from.get(), digest)) {
            return Optional.empty();
        }
        Optional<Long> size = storage.blobs().size(digest);
        if (size.isPresent()) {
            storage.blobs().touch(digest); // a GC running now keeps it for the grace period
            storage.links().link(repo, digest);
        }
        return size;
    }

    // ---------------------------------------------------------------- Manifests

    /** A stored manifest: its digest, the media type it was pushed with, and its exact bytes. */
    public record StoredManifest(Digest digest, String mediaType, byte[] bytes) {}

    private static RegistryException manifestUnknown(RepositoryName repo, String reference) {
        return new RegistryException(ErrorCode.MANIFEST_UNKNOWN, "manifest " + reference + " unknown in repository " + repo);
    }

    /**
     * "Pulling manifests": the manifest named by a tag or digest. Served from the {@link ManifestCache}
     * when the storage versions it was read at still hold.
     */
    public StoredManifest pullManifest(RepositoryName repo, String reference) {
        boolean byTag = !reference.contains(":");
        if (byTag && !Tag.isValid(reference)) {
            // No manifest can have a name outside the tag grammar, so none is found (404, as the
            // conformance suite's ".INVALID_MANIFEST_NAME" expects); only a push of one is MANIFEST_INVALID.
            throw manifestUnknown(repo, reference);
        }
        if (!cache.enabled()) {
            return readManifest(repo, reference);
        }
        ManifestCache.Entry e = cache.get(repo.value(), reference);
        long now = cache.now();
        if (e != null) {
            if (cache.fresh(repo.value(), reference) == e.manifest) {
                return e.manifest;
            }
            // cheap checks: has the tag moved, or the repository's record of the manifest changed?
            if ((!byTag || Objects.equals(storage.tags().version(repo, new Tag(reference)), e.tagVersion))
                    && Objects.equals(storage.manifests().version(repo, e.manifest.digest()), e.manifestVersion)
                    && e.manifestVersion != null) {
                e.checkedAt = now;
                return e.manifest;
            }
        }
        long generation = cache.generation();
        // versions first, content second: a change in between is caught by the next check
        Object tagVersion = byTag ? storage.tags().version(repo, new Tag(reference)) : null;
        StoredManifest m = readManifest(repo, reference);
        Object manifestVersion = storage.manifests().version(repo, m.digest());
        if (manifestVersion != null && (!byTag || tagVersion != null)) {
            cache.put(repo.value(), reference, new ManifestCache.Entry(m, tagVersion, manifestVersion, now), generation);
        }
        return m;
    }

    /**
     * The cached manifest for {@code repository} (as sent, not validated) and {@code reference} if it
     * was checked within the revalidation period, else null. No I/O: for an event loop's fast path.
     */
    public StoredManifest freshManifest(String repository, String reference) {
        return cache.enabled() ? cache.fresh(repository, reference) : null;
    }

    private StoredManifest readManifest(RepositoryName repo, String reference) {
        // "<tag-or-digest> MUST be either (a) the digest of the manifest or (b) a tag" (a tag checked by the caller)
        Digest d = reference.contains(":") ? digest(reference)
                : storage.tags().resolve(repo, new Tag(reference)).orElseThrow(() -> manifestUnknown(repo, reference));
        String mt = storage.manifests().mediaType(repo, d).orElseThrow(() -> manifestUnknown(repo, reference));
        byte[] bytes = storage.blobs().read(d).orElseThrow(() -> manifestUnknown(repo, reference));
        return new StoredManifest(d, mt, bytes);
    }

    /** What a manifest push did: its digest, the subject it declared, and the tags it set. */
    public record PushedManifest(Digest digest, Optional<Digest> subject, List<Tag> tags) {}

    /**
     * "Pushing Manifests" (end-7a/7b): reads at most the manifest limit from {@code body}, validates it,
     * stores the exact bytes, records referrers, and sets the tag in {@code reference} (if it is a tag)
     * and {@code extraTags}.
     */
    public PushedManifest pushManifest(RepositoryName repo, String reference, Optional<String> contentType,
            List<String> extraTags, InputStream body) {
        byte[] bytes = readLimited(body);
        Optional<Digest> byDigest = reference.contains(":") ? Optional.of(digest(reference)) : Optional.empty();
        List<Tag> tags = new ArrayList<>();
        if (byDigest.isEmpty()) {
            tags.add(new Tag(reference)); // MANIFEST_INVALID when not a tag
        }
        for (String t : extraTags) {
            tags.add(new Tag(t));
        }
        Digest d = byDigest.map(want -> {
            requireComputable(want);
            Digest got = Digest.of(want.algorithm(), bytes);
            if (!got.equals(want)) {
                throw new RegistryException(ErrorCode.DIGEST_INVALID,
                        "manifest has digest " + got + ", not " + want + " as the URL says");
            }
            return got;
        }).orElseGet(() -> Digest.sha256(bytes));

        Parsed p = ManifestCheck.parse(bytes, contentType);
        ManifestCheck.requireReferencedContent(p, repo, storage);

        // Bytes first, then the repository's record of them, then referrers and tags: a crash between
        // steps leaves at most an unreferenced blob for GC, never a tag naming missing content.
        storage.blobs().put(d, bytes);
        storage.links().link(repo, d);
        storage.manifests().put(repo, d, p.mediaType());
        p.subject().ifPresent(s -> storage.referrers().add(repo, s, p.referrerDescriptor(d, bytes.length)));
        for (Tag t : tags) {
            storage.tags().set(repo, t, d);
        }
        cache.invalidate(repo.value());
        return new PushedManifest(d, p.subject(), List.copyOf(tags));
    }

    private byte[] readLimited(InputStream body) {
        try {
            byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxManifestBytes() + 1));
            if (bytes.length > limits.maxManifestBytes()) {
                throw new RegistryException(ErrorCode.SIZE_INVALID, RegistryException.Status.PAYLOAD_TOO_LARGE,
                        "manifest larger than the limit of " + limits.maxManifestBytes() + " bytes", null);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("read manifest body", e);
        }
    }

    /** A manifest the registry accepted for parsing: its media type and, if any, its subject. */
    record Parsed(String mediaType, Optional<Manifest> manifest, Optional<Index> index) {
        Optional<Digest> subject() {
            return manifest.flatMap(Manifest::subject).or(() -> index.flatMap(Index::subject)).map(Descriptor::digest);
        }

        /**
         * The referrers-list descriptor ("Listing Referrers"): "If the artifactType is empty or missing
         * in the image manifest, the value of artifactType MUST be set to the config descriptor mediaType
         * value. If the artifactType is empty or missing in an index, the artifactType MUST be omitted.
         * The descriptors MUST include annotations from the image manifest or index."
         */
        Descriptor referrerDescriptor(Digest d, long size) {
            Optional<String> at = manifest.map(m -> m.artifactType().filter(s -> !s.isEmpty())
                    .orElse(m.config().mediaType().value()))
                    .or(() -> index.flatMap(Index::artifactType).filter(s -> !s.isEmpty()));
            Map<String, String> ann = manifest.map(Manifest::annotations)
                    .orElseGet(() -> index.map(Index::annotations).orElse(Map.of()));
            return new Descriptor(MediaType.of(mediaType), d, size, List.of(), ann, Optional.empty(), at,
                    Optional.empty());
        }
    }

    /** "Deleting tags" and "Deleting Manifests" (end-9). */
    public void deleteManifest(RepositoryName repo, String reference) {
        if (!storage.catalog().exists(repo)) {
            throw new RegistryException(ErrorCode.NAME_UNKNOWN, "repository " + repo + " unknown");
        }
        if (!reference.contains(":")) {
            boolean deleted = Tag.isValid(reference) && storage.tags().delete(repo, new Tag(reference));
            cache.invalidate(repo.value());
            if (!deleted) {
                throw manifestUnknown(repo, reference);
            }
            return;
        }
        Digest d = digest(reference);
        Optional<String> mt = storage.manifests().mediaType(repo, d);
        if (mt.isEmpty()) {
            throw manifestUnknown(repo, reference);
        }
        // "Once deleted, a GET to /v2/<name>/manifests/<digest> and any tag pointing to that digest will return a 404."
        for (Tag t : storage.tags().list(repo)) {
            if (storage.tags().resolve(repo, t).filter(d::equals).isPresent()) {
                storage.tags().delete(repo, t);
            }
        }
        storage.blobs().read(d).ifPresent(bytes -> {
            try {
                ManifestCheck.parse(bytes, mt).subject().ifPresent(s -> storage.referrers().remove(repo, s, d));
            } catch (RegistryException e) {
                // stored before validation existed or with an unknown type: no referrer entry to remove
            }
        });
        storage.manifests().delete(repo, d);
        cache.invalidate(repo.value());
    }

    // ---------------------------------------------------------------- Content Discovery

    /** One page of a sorted listing, and whether more follow. */
    public record Page<T>(List<T> items, boolean more) {}

    /** "Listing Tags" (end-8a/8b). */
    public Page<String> listTags(RepositoryName repo, OptionalInt n, Optional<String> last) {
        if (!storage.catalog().exists(repo)) {
            throw new RegistryException(ErrorCode.NAME_UNKNOWN, "repository " + repo + " unknown");
        }
        return page(storage.tags().list(repo).stream().map(Tag::value).toList(), n, last);
    }

    /** The catalog extension ({@code GET /v2/_catalog}), paged like tags. */
    public Page<String> catalog(OptionalInt n, Optional<String> last) {
        return page(storage.catalog().repositories().stream().map(RepositoryName::value).toList(), n, last);
    }

    private Page<String> page(List<String> sorted, OptionalInt n, Optional<String> last) {
        int from = 0;
        if (last.isPresent()) {
            // "beginning non-inclusively with <tagname>"
            while (from < sorted.size() && sorted.get(from).compareTo(last.get()) <= 0) {
                from++;
            }
        }
        int size = Math.min(n.orElse(limits.maxPageSize()), limits.maxPageSize());
        int to = (int) Math.min(sorted.size(), (long) from + size);
        return new Page<>(sorted.subList(from, to), to < sorted.size() && size > 0);
    }

    /** One page of the referrers list, and the last digest on it when more pages follow. */
    public record ReferrersPage(Index index, Optional<Digest> next) {}

    /** The bytes an index of no descriptors takes, plus room for the separators between descriptors. */
    private static final int INDEX_ENVELOPE = Index.of(List.of()).toBytes().length + 16;

    /**
     * "Listing Referrers" (end-12a/12b): descriptors of manifests in the repository whose subject is
     * {@code subject}, optionally only those of {@code artifactType}, in digest order, starting after
     * {@code after}. Never NAME_UNKNOWN: "If the registry supports the referrers API, the registry MUST
     * NOT return a 404 Not Found". "A Link header MUST be included in the response when the descriptor
     * list cannot be returned in a single manifest": a page holds at most
     * {@link Limits#referrersPageSize()} descriptors and stays within the manifest size limit (one
     * descriptor always fits, so every page makes progress); {@link ReferrersPage#next()} says where the
     * next page starts. Filtering happens before paging, so every page is full of matching descriptors.
     */
    public ReferrersPage referrers(RepositoryName repo, Digest subject, Optional<String> artifactType,
            Optional<Digest> after) {
        List<Descriptor> all = storage.referrers().list(repo, subject);
        int from = 0;
        if (after.isPresent()) {
            while (from < all.size() && all.get(from).digest().compareTo(after.get()) <= 0) {
                from++;
            }
        }
        List<Descriptor> page = new ArrayList<>();
        long budget = limits.maxManifestBytes() - INDEX_ENVELOPE;
        long used = 0;
        int i = from;
        for (; i < all.size(); i++) {
            Descriptor d = all.get(i);
            if (artifactType.isPresent() && !d.artifactType().filter(artifactType.get()::equals).isPresent()) {
                continue;
            }
            long size = JsonCodec.write(d.toJson()).length + 1L;
            if (page.size() >= limits.referrersPageSize() || (!page.isEmpty() && used + size > budget)) {
                break;
            }
            page.add(d);
            used += size;
        }
        // a further page only if a matching descriptor is left (no Link to an empty page)
        boolean more = false;
        for (; i < all.size() && !more; i++) {
            more = artifactType.isEmpty() || all.get(i).artifactType().filter(artifactType.get()::equals).isPresent();
        }
        return new ReferrersPage(Index.of(page), more ? Optional.of(page.getLast().digest()) : Optional.empty());
    }
}
